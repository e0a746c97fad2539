import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from rubrics.models import Rubric


class Webhook(models.Model):
    """Where a rubric's newly qualified leads are sent, signed with ``secret``.

    ``cursor`` is the id of the last QualificationChange already turned into
    deliveries: the dispatcher reads the rubric's changes after it, so each
    qualification is sent once. A new (or re-activated) webhook starts at the
    newest change: it does not replay the past.
    """

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500, verbose_name="URL")
    secret = models.CharField(max_length=100)
    # After a rotation the old secret signs too, for a while, so the CRM can switch without losing events.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    cursor = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # No default ordering: ordering by the rubric would join it, and SELECT ... FOR UPDATE would lock it too.
        constraints = [models.UniqueConstraint(fields=["rubric"], name="webhook_one_per_rubric")]

    def __str__(self):
        return f"Webhook of {self.rubric} to {self.url}"

    def signing_secrets(self, now: datetime.datetime | None = None) -> list[str]:
        """The secrets each request is signed with: the current one, and the previous one in its grace period."""
        now = now or timezone.now()
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets.append(self.previous_secret)
        return secrets


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERING = "delivering", "Delivering"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


LEAD_QUALIFIED = "lead.qualified"
WEBHOOK_TEST = "webhook.test"


class Delivery(models.Model):
    """One event (a batch of qualified leads, or a test) to send to a webhook, and where its sending stands.

    ``event_id`` goes out as the ``X-ICP-Delivery`` header, the same on every
    attempt, so a receiver can drop a repeat. A delivery is claimed before it is
    sent (pending → delivering, until ``lease_expires_at``), so two workers never
    send it at once, and a delivered one is never sent again.
    """

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40, default=LEAD_QUALIFIED)
    payload = models.JSONField()
    lead_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=DeliveryStatus.values), name="delivery_status_valid")
        ]
        indexes = [
            # The sender's next due delivery, and leases to take back.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            # A webhook's delivery log, newest first.
            models.Index(fields=["webhook", "-created_at", "-id"], name="delivery_log_idx"),
        ]

    def __str__(self):
        return f"{self.event} {self.event_id} ({self.status})"

    @property
    def is_test(self) -> bool:
        return self.event == WEBHOOK_TEST


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery and what came back: the delivery log."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts_made")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    succeeded = models.BooleanField()

    class Meta:
        ordering = ["delivery", "-started_at", "-id"]

    def __str__(self):
        return f"Attempt of {self.delivery_id} at {self.started_at}: {self.status_code or self.error}"
