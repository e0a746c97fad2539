from django.contrib import admin

from .models import Participant, Step, Workshop


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ("position", "title", "kind", "status", "duration_minutes", "timer_started_at", "timer_ends_at")
    readonly_fields = fields


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    fields = ("user", "team", "joined_at")
    readonly_fields = fields


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    """Read-only: workshops change through their pages, whose services keep the live version counter."""

    list_display = ("title", "profile", "facilitator", "status", "created_at", "closed_at")
    list_filter = ("status",)
    inlines = [StepInline, ParticipantInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
