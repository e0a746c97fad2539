from django.conf import settings
from django.db import models

from customers.models import Customer
from rubrics.models import Rubric, RubricVersion


class DisqualificationReason(models.Model):
    """Why a rep turns a qualified lead down. Admins keep the list; counted for the next workshop."""

    label = models.CharField(max_length=80, unique=True)
    needs_note = models.BooleanField(default=False, help_text="The rep must say more (for “Other”).")
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self):
        return self.label


class DispositionStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    CONTACTED = "contacted", "Contacted"
    DISQUALIFIED = "disqualified", "Disqualified"


class LeadDisposition(models.Model):
    """What the rep made of a lead (a customer qualified by a rubric): the latest word only."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="dispositions")
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="dispositions")
    status = models.CharField(max_length=12, choices=DispositionStatus.choices)
    reason = models.ForeignKey(DisqualificationReason, on_delete=models.PROTECT, null=True, blank=True)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "rubric"], name="lead_disposition_one_per_lead"),
            models.CheckConstraint(
                condition=~models.Q(status="disqualified") | models.Q(reason__isnull=False),
                name="lead_disqualified_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["rubric", "status", "reason"], name="lead_disposition_report_idx")]

    def __str__(self):
        return f"{self.customer_id} by {self.rubric_id}: {self.status}"


class LeadDispositionChange(models.Model):
    """Every disposition change, with the score the lead had then (what it matched, by which version)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="disposition_changes")
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=DispositionStatus.choices)
    reason = models.ForeignKey(DisqualificationReason, on_delete=models.PROTECT, null=True, blank=True)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    version = models.ForeignKey(RubricVersion, on_delete=models.PROTECT, null=True, related_name="+")
    total = models.IntegerField(null=True)
    matched = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["customer", "rubric", "-changed_at"], name="lead_change_idx")]

    def __str__(self):
        return f"{self.customer_id} by {self.rubric_id}: {self.status} at {self.changed_at:%Y-%m-%d}"
