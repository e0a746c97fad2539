"""The outbox: new qualifications of a rubric become webhook deliveries, each once.

Scoring never calls out: it records QualificationChange rows, and the
dispatcher reads those after each webhook's cursor, in id order, a batch of
leads per delivery. Reading and moving the cursor happen in one transaction
that holds off the rubric's scoring (see ``hold_off_scoring``), so a change
committed late with a lower id cannot slip behind the cursor.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ops.jobs import job_send_now
from rubrics import scoring
from rubrics.locks import rubric_scoring_held_off
from rubrics.models import QualificationChange, Rubric, RubricVersion

from ..models import LEAD_QUALIFIED, Delivery, Webhook

logger = logging.getLogger(__name__)

EVENTS_PER_TRANSACTION = 2_000  # keeps the hold on scoring short (a few tenths of a second) during a big publish
LEAD_FIELDS = {
    "id": "id",
    "customer_id": "customer_id",
    "name": "customer__name",
    "domain": "customer__domain",
    "external_id": "customer__external_id",
    "owner": "customer__owner__username",
    "total": "total",
    "changed_at": "changed_at",
    "version_id": "version_id",
}


def hold_off_scoring(rubric_id: int) -> None:
    """Wait for the rubric's scoring transactions to end, and keep new ones out until this one ends
    (rubrics.locks.rubric_scoring_held_off): every change of the rubric up to the newest id is then committed
    and visible, and none will later appear below it."""
    rubric_scoring_held_off(rubric_id)


def newest_change_id() -> int:
    return QualificationChange.objects.aggregate(newest=Max("id"))["newest"] or 0


def webhooks_dispatch() -> int:
    """Turn every active webhook's new qualifications into deliveries; return how many were created."""
    created = 0
    for webhook_id in Webhook.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True):
        created += webhook_dispatch(webhook_id=webhook_id)
    return created


def webhook_dispatch(*, webhook_id: int) -> int:
    """Turn the webhook's new qualifications into deliveries, a transaction per batch of events."""
    created = 0
    while True:
        batch_created, more = _dispatch_batch(webhook_id)
        created += batch_created
        if not more:
            return created


def _new_qualifications(webhook: Webhook):
    """Customers of the webhook's rubric that entered qualification (or qualified on their first score)."""
    return QualificationChange.objects.filter(
        rubric_id=webhook.rubric_id, id__gt=webhook.cursor, qualified=True
    ).filter(Q(was_qualified=False) | Q(was_qualified__isnull=True))


def _dispatch_batch(webhook_id: int) -> tuple[int, bool]:
    """Read up to EVENTS_PER_TRANSACTION new events after the cursor, make their deliveries, move the cursor.

    1. hold off the rubric's scoring, then lock the webhook (two dispatchers take turns);
    2. read the new events in id order;
    3. make a delivery per WEBHOOK_BATCH_SIZE leads;
    4. move the cursor past them; when they were the last, to the newest change of any
       rubric, so the next read starts near the end of the table.
    Return the deliveries made and whether more events may wait.
    """
    rubric_id = Webhook.objects.filter(pk=webhook_id, is_active=True).values_list("rubric_id", flat=True).first()
    if rubric_id is None:
        return 0, False
    with transaction.atomic():
        hold_off_scoring(rubric_id)
        webhook = Webhook.objects.select_for_update(of=("self",)).filter(pk=webhook_id, is_active=True).first()
        if webhook is None:
            return 0, False
        events = _events(webhook)
        more = len(events) == EVENTS_PER_TRANSACTION
        cursor = events[-1]["id"] if more else max(newest_change_id(), webhook.cursor)
        deliveries = _deliveries(webhook, events)
        Delivery.objects.bulk_create(deliveries)
        if cursor != webhook.cursor:
            Webhook.objects.filter(pk=webhook.pk).update(cursor=cursor)
    if deliveries:
        logger.info("webhook %s: %s leads in %s deliveries", webhook_id, len(events), len(deliveries))
    return len(deliveries), more


def _events(webhook: Webhook) -> list[dict]:
    """The next EVENTS_PER_TRANSACTION new qualifications, with their customers, in id order.

    The ids first, then the rows up to the last of them: joined and sorted in one query, the
    planner may join every new change of the rubric (hundreds of thousands) before the limit.
    """
    ids = list(_new_qualifications(webhook).order_by("id").values_list("id", flat=True)[:EVENTS_PER_TRANSACTION])
    if not ids:
        return []
    return list(_new_qualifications(webhook).filter(id__lte=ids[-1]).order_by("id").values(*LEAD_FIELDS.values()))


def _deliveries(webhook: Webhook, events: list[dict]) -> list[Delivery]:
    if not events:
        return []
    rubric = Rubric.objects.select_related("profile").get(pk=webhook.rubric_id)
    grades = _grade_scales({event["version_id"] for event in events})
    link = _lead_link(webhook.rubric_id)
    leads = [_lead(event, grades, link) for event in events]
    size = max(1, settings.WEBHOOK_BATCH_SIZE)
    now = timezone.now()
    deliveries = []
    for start in range(0, len(leads), size):
        batch = leads[start : start + size]
        delivery = Delivery(webhook=webhook, event=LEAD_QUALIFIED, lead_count=len(batch), created_at=now)
        delivery.payload = {
            "event": LEAD_QUALIFIED,
            "id": str(delivery.event_id),
            "created_at": now.isoformat(),
            "rubric": {"id": rubric.pk, "name": rubric.name, "profile": rubric.profile.name},
            "leads": batch,
        }
        deliveries.append(delivery)
    return deliveries


def _lead(event: dict, grades: dict, link) -> dict:
    version_number, scale = grades[event["version_id"]]
    return {
        "customer_id": event["customer_id"],
        "external_id": event["customer__external_id"],
        "name": event["customer__name"],
        "domain": event["customer__domain"],
        "total": event["total"],
        "grade": scale.grade_for(event["total"]) if scale.grades else None,
        "owner": event["customer__owner__username"],
        "qualified_at": event["changed_at"].isoformat(),
        "rubric_version": version_number,
        "url": link(event["customer_id"]),
    }


def _grade_scales(version_ids: set[int]) -> dict[int, tuple[int, scoring.Rubric]]:
    """Each version's number and grades, as the scoring engine reads them (criteria play no part in a grade)."""
    return {
        version.pk: (
            version.number,
            scoring.Rubric(
                criteria=(),
                threshold=version.threshold,
                grades=tuple(scoring.Grade(label=grade["label"], min=grade["min"]) for grade in version.grades or ()),
            ),
        )
        for version in RubricVersion.objects.filter(pk__in=version_ids).only("pk", "number", "threshold", "grades")
    }


def _lead_link(rubric_id: int):
    """customer id → the lead page's address (SITE_URL + path), or None if there is no lead page."""
    marker = 987654321  # stands for the customer id: reversing once per lead is slow for 300,000 leads
    try:
        path = reverse("leads:detail", kwargs={"rubric_id": rubric_id, "customer_id": marker})
    except NoReverseMatch:
        return lambda customer_id: None
    template = settings.SITE_URL.rstrip("/") + path
    return lambda customer_id: template.replace(str(marker), str(customer_id))


def webhooks_dispatch_on_qualifications(sender=None, **kwargs) -> None:
    """Have the worker dispatch now (scoring announced new qualifications: rubrics.signals).

    A failure to reach the broker must not fail the scoring that announced them: the every-minute dispatch
    catches up.
    """
    try:
        job_send_now(
            "webhooks.tasks.webhooks_dispatch",
            waiting="The webhooks' deliveries go out with the every-minute dispatch once it is back.",
        )
    except Exception:  # run in-process (no broker), a broken dispatch must not fail the scoring either
        logger.exception("could not start the webhook dispatch; the periodic one will catch up")
