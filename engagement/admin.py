from django.contrib import admin

from .models import DailyCount, EventType


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "description")
    search_fields = ("name", "key")


@admin.register(DailyCount)
class DailyCountAdmin(admin.ModelAdmin):
    list_display = ("customer", "event_type", "day", "count")
    list_filter = ("event_type",)
    raw_id_fields = ("customer",)
