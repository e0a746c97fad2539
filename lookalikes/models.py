from django.conf import settings
from django.db import models

from customers.models import Customer


class ModelStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    SUPERSEDED = "superseded", "Superseded"


class SimilarityModel(models.Model):
    """One learning of what makes accounts similar: each category's values (``encoding``), each feature's weight
    with the won and lost deals it was learned from (``weights``), and every customer's vector built with it.

    The newest ready one answers searches; building a new one leaves the old one answering until it is ready.
    """

    status = models.CharField(max_length=12, choices=ModelStatus.choices, default=ModelStatus.QUEUED)
    reason = models.CharField(max_length=20, help_text="manual, nightly or first")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    encoding = models.JSONField(default=dict, blank=True)
    weights = models.JSONField(default=list, blank=True)
    won = models.PositiveIntegerField(default=0)
    lost = models.PositiveIntegerField(default=0)
    accounts = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ModelStatus.values), name="similarity_status_valid")
        ]

    def __str__(self):
        return f"similarity model {self.pk} ({self.status})"


class AccountVector(models.Model):
    """A customer's codes under one similarity model (lookalikes.features): int16 values, little-endian.

    ``revision`` comes from ``VectorClock``: the rows a transaction writes share one, taken under the clock's
    row lock, so revisions become visible in order and the in-process matrix reads only what is newer.
    """

    model = models.ForeignKey(SimilarityModel, on_delete=models.CASCADE, related_name="+", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    codes = models.BinaryField()
    revision = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "customer"], name="account_vector_once_per_model")]
        indexes = [models.Index(fields=["model", "revision"], name="account_vector_revision_idx")]

    def __str__(self):
        return f"vector of {self.customer_id} by model {self.model_id}"


class VectorClock(models.Model):
    """One row: the last revision given to written vectors."""

    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"vector revision {self.value}"
