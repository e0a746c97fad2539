"""Setting up a rubric's webhook: its URL, on or off, its secret; a test event; retrying a failed delivery."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from ops.jobs import job_send
from rubrics.models import Rubric
from teams.models import User

from .. import signing
from ..addresses import AddressRefused, NameUnresolved, public_address
from ..models import WEBHOOK_TEST, Delivery, DeliveryStatus, Webhook
from .dispatch import hold_off_scoring, newest_change_id

SECRET_GRACE = datetime.timedelta(hours=24)  # the previous secret still signs this long after a rotation
DISPATCH_WAITING = "The delivery goes out with the every-minute dispatch once it is back."


class DeliveryNotRetryable(Exception):
    """Only a failed delivery is retried by hand: a delivered one is never sent twice."""


def webhook_url_clean(url: str, *, addresses: bool = True) -> str:
    """The URL, stripped, or a ValidationError saying what is wrong with it.

    https only, unless WEBHOOK_ALLOW_HTTP (on by default with DEBUG) allows plain http too. ``addresses``
    False leaves out resolving the host: a send does that itself, once, and posts to the address it checked.
    """
    url = (url or "").strip()
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if url.lower().startswith("http://") and "http" not in allowed:
        raise ValidationError("Use an https:// address: leads are personal data and must not travel in clear text.")
    try:
        URLValidator(schemes=allowed)(url)
        parts = urlsplit(url)
    except (ValidationError, ValueError):
        starts = " or ".join(f"{scheme}://" for scheme in allowed)
        raise ValidationError(f"Enter a full web address starting with {starts}.") from None
    if parts.username or parts.password:
        raise ValidationError("Leave the user name and password out of the address; the signature proves the sender.")
    if addresses and not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        _public_or_unknown(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    return url


def _public_or_unknown(host: str, port: int) -> None:
    """Refuse a host that is, or resolves to, a non-public address. A name that does not resolve now is let
    through: each send resolves it again, and refuses it then if it still does not."""
    try:
        public_address(host, port, allow_private=False)
    except NameUnresolved:
        return
    except AddressRefused as refused:
        raise ValidationError(str(refused)) from None


def webhook_save(*, rubric: Rubric, url: str, is_active: bool, user: User | None) -> Webhook:
    """Create or change the rubric's webhook.

    A new webhook, or one switched back on, starts after the newest
    qualification: it sends what qualifies from now on, never the past.
    """
    url = webhook_url_clean(url)
    with transaction.atomic():
        hold_off_scoring(rubric.pk)
        webhook = Webhook.objects.select_for_update(of=("self",)).filter(rubric=rubric).first()
        if webhook is None:
            return Webhook.objects.create(
                rubric=rubric,
                url=url,
                is_active=is_active,
                secret=signing.secret_new(),
                cursor=newest_change_id(),
                created_by=user,
            )
        if is_active and not webhook.is_active:
            webhook.cursor = newest_change_id()
        webhook.url, webhook.is_active = url, is_active
        webhook.save(update_fields=["url", "is_active", "cursor", "updated_at"])
    return webhook


def webhook_secret_rotate(*, webhook: Webhook) -> Webhook:
    """A new secret; the old one still signs for SECRET_GRACE, so the receiver can switch without refusing events."""
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update(of=("self",)).get(pk=webhook.pk)
        webhook.previous_secret = webhook.secret
        webhook.previous_secret_expires_at = timezone.now() + SECRET_GRACE
        webhook.secret = signing.secret_new()
        webhook.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return webhook


def webhook_test_send(*, webhook: Webhook) -> Delivery:
    """A test event (no leads) sent once, at once, even to an inactive webhook; it is not retried."""
    delivery = Delivery(webhook=webhook, event=WEBHOOK_TEST, lead_count=0)
    delivery.payload = {
        "event": WEBHOOK_TEST,
        "id": str(delivery.event_id),
        "created_at": timezone.now().isoformat(),
        "rubric": {"id": webhook.rubric_id, "name": webhook.rubric.name},
        "leads": [],
    }
    delivery.save()
    # An active webhook's pending delivery goes out with the every-minute dispatch; an inactive one's does not.
    waiting = DISPATCH_WAITING if webhook.is_active else "Send the test event again once it is back."
    job_send("webhooks.tasks.webhook_deliver", delivery.pk, waiting=waiting)
    return delivery


def delivery_retry(*, delivery: Delivery) -> Delivery:
    """Send a failed delivery again, with a fresh round of attempts (its earlier attempts stay in the log)."""
    if not delivery.webhook.is_active and not delivery.is_test:
        raise DeliveryNotRetryable("The webhook is off: switch it on first, then retry.")
    retried = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    if not retried:
        delivery.refresh_from_db()
        raise DeliveryNotRetryable(
            f"This delivery is {delivery.get_status_display().lower()}: only a failed one can be retried."
        )
    job_send("webhooks.tasks.webhook_deliver", delivery.pk, waiting=DISPATCH_WAITING)
    delivery.refresh_from_db()
    return delivery
