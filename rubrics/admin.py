from django.contrib import admin

from .models import Criterion, Rubric, RubricVersion


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ("position", "group", "label", "field", "operator", "values", "bands", "points", "gate")

    def has_change_permission(self, request, obj=None):
        return False  # criteria change through the editor, which checks the draft's revision


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ("name", "profile", "audience", "created_at")
    list_filter = ("profile", "audience")
    search_fields = ("name", "profile__name")


@admin.register(RubricVersion)
class RubricVersionAdmin(admin.ModelAdmin):
    """Read-only: versions change through the editor's services, never here."""

    list_display = ("rubric", "number", "status", "threshold", "revision", "created_by", "published_at")
    list_filter = ("status",)
    inlines = [CriterionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
