from django.contrib import admin

from .models import AssignmentLog, AssignmentRule, RepAway


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rules change through their pages (which validate the reps), the log only through routing."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(ReadOnlyAdmin):
    list_display = ("name", "position", "country", "region", "industry", "weekly_cap", "sla_hours", "is_active")


@admin.register(AssignmentLog)
class AssignmentLogAdmin(ReadOnlyAdmin):
    list_display = ("customer", "why", "from_user", "to_user", "rule", "at")
    list_filter = ("why",)


@admin.register(RepAway)
class RepAwayAdmin(ReadOnlyAdmin):
    list_display = ("user", "until", "set_by", "set_at")
