"""Sending deliveries: claim one, POST it signed, record the attempt, schedule the retry.

Never twice after a success: a delivery is sent only by whoever moved it from
pending to delivering with a conditional UPDATE, and a delivered one is never
pending again. A worker that dies mid-send leaves it delivering; once its lease
expires, ``deliveries_release_expired`` puts it back to pending. The lease is
longer than the send task's hard time limit, so by then that worker is surely gone.
(If the receiver answered 2xx but the worker died before recording it, the
delivery is sent again with the same X-ICP-Delivery id: receivers dedupe on it.)
"""

import datetime
import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import sending, signing
from ..models import WEBHOOK_TEST, Delivery, DeliveryAttempt, DeliveryStatus, Webhook
from .webhooks import webhook_url_clean

logger = logging.getLogger(__name__)

SEND_TIME_LIMIT = 120  # seconds: the hard time limit of the tasks that send
LEASE = datetime.timedelta(seconds=SEND_TIME_LIMIT * 2)
MAX_BACKOFF = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Claim:
    delivery: Delivery
    lease_expires_at: datetime.datetime


def retry_delay(attempts: int) -> datetime.timedelta:
    """Wait after the ``attempts``-th failure: base, 2 x base, 4 x base... at most a day."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return min(datetime.timedelta(seconds=seconds), MAX_BACKOFF)


def delivery_claim(*, delivery_id: int) -> Claim | None:
    """Take a due pending delivery for this worker (pending → delivering); None if it is not to be sent now.

    Lead events of an inactive webhook wait (pending) until it is switched on again.
    """
    webhook_active = Delivery.objects.filter(pk=delivery_id).values_list("webhook__is_active", "event").first()
    if webhook_active is None or not (webhook_active[0] or webhook_active[1] == WEBHOOK_TEST):
        return None
    now = timezone.now()
    lease_expires_at = now + LEASE
    # Only the delivery's own columns in the WHERE: PostgreSQL re-checks them on a row another
    # worker has just claimed, so exactly one UPDATE succeeds.
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now).update(
        status=DeliveryStatus.DELIVERING, lease_expires_at=lease_expires_at, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return Claim(Delivery.objects.select_related("webhook").get(pk=delivery_id), lease_expires_at)


def delivery_send(*, delivery_id: int) -> sending.Answer | None:
    """Claim the delivery, send it, record the attempt; return the answer (None: not claimed, nothing sent)."""
    claim = delivery_claim(delivery_id=delivery_id)
    if claim is None:
        return None
    delivery, webhook = claim.delivery, claim.delivery.webhook
    started_at = timezone.now()
    answer = _post(delivery, webhook)
    delivery_record(claim=claim, answer=answer, started_at=started_at)
    return answer


def _post(delivery: Delivery, webhook: Webhook) -> sending.Answer:
    try:
        url = webhook_url_clean(webhook.url, addresses=False)  # sending.post resolves and checks the host
    except ValidationError as problem:
        return sending.Answer(None, f"Not sent: {' '.join(problem.messages)}"[:300], 0)
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        signing.EVENT_HEADER: delivery.event,
        signing.DELIVERY_HEADER: str(delivery.event_id),
        "X-ICP-Attempt": str(delivery.attempts),
        signing.SIGNATURE_HEADER: signing.signature_header(
            secrets=webhook.signing_secrets(), timestamp=timestamp, body=body
        ),
    }
    return sending.post(
        url=url,
        body=body,
        headers=headers,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
    )


def delivery_record(*, claim: Claim, answer: sending.Answer, started_at: datetime.datetime) -> None:
    """Log the attempt; the delivery is delivered, pending again after its back-off, or failed for good.

    A test event is tried once. The update holds only while this worker's lease does.
    """
    delivery = claim.delivery
    now = timezone.now()
    if answer.ok:
        changes = {"status": DeliveryStatus.DELIVERED, "delivered_at": now, "last_error": ""}
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or delivery.event == WEBHOOK_TEST:
        changes = {"status": DeliveryStatus.FAILED, "last_error": answer.error}
    else:
        changes = {
            "status": DeliveryStatus.PENDING,
            "next_attempt_at": now + retry_delay(delivery.attempts),
            "last_error": answer.error,
        }
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            started_at=started_at,
            duration_ms=answer.duration_ms,
            status_code=answer.status_code,
            error=answer.error,
            succeeded=answer.ok,
        )
        recorded = Delivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.DELIVERING, lease_expires_at=claim.lease_expires_at
        ).update(**changes, last_status_code=answer.status_code, lease_expires_at=None)
    if not recorded:
        logger.warning("delivery %s: its lease ran out before the outcome was recorded", delivery.pk)


def deliveries_release_expired() -> int:
    """Put deliveries whose worker died mid-send back to pending (or failed, out of attempts); return how many."""
    now = timezone.now()
    expired = Delivery.objects.filter(status=DeliveryStatus.DELIVERING, lease_expires_at__lt=now)
    message = "The worker stopped before the answer was recorded."
    failed = expired.filter(attempts__gte=settings.WEBHOOK_MAX_ATTEMPTS).update(
        status=DeliveryStatus.FAILED, lease_expires_at=None, last_error=message
    )
    pending = expired.update(
        status=DeliveryStatus.PENDING, lease_expires_at=None, next_attempt_at=now, last_error=message
    )
    return failed + pending


def delivery_next_due(*, skip_webhooks: set[int]) -> tuple[int, int] | None:
    """(id, webhook id) of the longest-waiting due delivery of an active webhook not in ``skip_webhooks``."""
    due = Delivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now(), webhook__is_active=True
    ).exclude(webhook_id__in=skip_webhooks)
    return due.order_by("next_attempt_at", "id").values_list("pk", "webhook_id").first()


def deliveries_send_due(*, budget_seconds: float) -> int:
    """Send due deliveries one after another for about ``budget_seconds``; return how many were delivered.

    Once a webhook fails, its other deliveries wait for the next round, so a
    receiver that is down gets one request per round, not the whole backlog.
    """
    deadline = time.monotonic() + budget_seconds
    delivered, failing = 0, set()
    while time.monotonic() < deadline:
        due = delivery_next_due(skip_webhooks=failing)
        if due is None:
            break
        delivery_id, webhook_id = due
        answer = delivery_send(delivery_id=delivery_id)
        if answer is None:
            continue  # another worker took it
        if answer.ok:
            delivered += 1
        else:
            failing.add(webhook_id)
    return delivered
