"""Reads for the webhook pages."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count

from rubrics.models import Rubric

from .models import Delivery, DeliveryStatus, Webhook

DELIVERIES_PER_PAGE = 25


@dataclass(frozen=True)
class RubricWebhook:
    rubric: Rubric
    webhook: Webhook | None
    counts: dict[str, int]

    @property
    def waiting(self) -> int:
        return self.counts.get(DeliveryStatus.PENDING, 0) + self.counts.get(DeliveryStatus.DELIVERING, 0)


def delivery_counts(webhook_ids: list[int]) -> dict[int, dict[str, int]]:
    """Deliveries by status, per webhook: {webhook id: {status: count}}."""
    counts: dict[int, dict[str, int]] = {webhook_id: {} for webhook_id in webhook_ids}
    rows = (
        Delivery.objects.filter(webhook_id__in=webhook_ids)
        .values("webhook_id", "status")
        .annotate(count=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["webhook_id"]][row["status"]] = row["count"]
    return counts


def rubric_webhooks() -> list[RubricWebhook]:
    """Every rubric with its webhook (if any) and its deliveries by status, for the list page."""
    webhooks = {webhook.rubric_id: webhook for webhook in Webhook.objects.all()}
    counts = delivery_counts([webhook.pk for webhook in webhooks.values()])
    return [
        RubricWebhook(
            rubric=rubric,
            webhook=webhooks.get(rubric.pk),
            counts=counts.get(webhooks[rubric.pk].pk, {}) if rubric.pk in webhooks else {},
        )
        for rubric in Rubric.objects.select_related("profile")
    ]


def delivery_log(webhook: Webhook, page_number: str | None) -> Page:
    """A page of the webhook's deliveries, newest first, with their attempts."""
    deliveries = webhook.deliveries.defer("payload").prefetch_related("attempts_made").order_by("-created_at", "-id")
    return Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(page_number)


def deliveries_waiting(webhook: Webhook) -> int:
    return webhook.deliveries.filter(status__in=(DeliveryStatus.PENDING, DeliveryStatus.DELIVERING)).count()
