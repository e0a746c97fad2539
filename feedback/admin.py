"""Django admin views of feedback, read only: every change goes through feedback.services (audit, re-score)."""

from django.contrib import admin

from .models import Advocacy, FeedbackChange, Referral, Response, Survey


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["name", "created_by", "created_at"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["customer", "score", "sentiment", "source", "answered_at"]
    list_filter = ["source"]
    list_select_related = ["customer"]


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["referrer", "referred_label", "referred_on", "status"]
    list_select_related = ["referrer", "referred_customer"]


@admin.register(Advocacy)
class AdvocacyAdmin(ReadOnlyAdmin):
    list_display = ["customer", "kind", "happened_on"]
    list_select_related = ["customer"]


@admin.register(FeedbackChange)
class FeedbackChangeAdmin(ReadOnlyAdmin):
    list_display = ["entity", "entity_id", "action", "changed_by", "changed_at"]
