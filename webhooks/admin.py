from django.contrib import admin

from .models import Delivery, Webhook


class ReadOnlyAdmin(admin.ModelAdmin):
    """Webhooks change through their page (which keeps the cursor right), deliveries through the sender."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyAdmin):
    list_display = ("rubric", "url", "is_active", "cursor", "created_at")
    exclude = ("secret", "previous_secret")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "event_id",
        "webhook",
        "event",
        "lead_count",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
    )
    list_filter = ("status", "event")
