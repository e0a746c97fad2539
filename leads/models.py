from django.conf import settings
from django.db import models
from django.urls import reverse

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


class LeadListVisit(models.Model):
    """When a person last looked at a rubric's leads, for the "new since your last visit" markers.

    ``new_since`` is the visit before the current stretch of work: it moves on
    only after a pause (LEAD_VISIT_GAP), so the markers stay put while the rep
    pages through the list on one morning.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()
    new_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "rubric"], name="lead_visit_one_per_list")]

    def __str__(self):
        return f"{self.user_id} saw {self.rubric_id} at {self.seen_at:%Y-%m-%d %H:%M}"


class SavedViewKind(models.TextChoices):
    LEADS = "leads", "Lead list"
    LOOKALIKES = "lookalikes", "Similar accounts"


class SavedLeadView(models.Model):
    """A person's named view of leads to come back to in one click: the lead list's filters, or a search of similar
    accounts (its seed and filters), as the query string of the page it opens."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_lead_views")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=12, choices=SavedViewKind.choices, default=SavedViewKind.LEADS)
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_lead_view_unique_name"),
            models.CheckConstraint(
                condition=models.Q(kind__in=SavedViewKind.values), name="saved_lead_view_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        page = reverse("lookalikes:search" if self.kind == SavedViewKind.LOOKALIKES else "leads:list")
        return f"{page}?{self.query}" if self.query else page


class LeadDigest(models.Model):
    """One daily digest sent to one rep: the leads newly qualified in (previous ``through``, ``through``].

    A window with nothing new is recorded too (``lead_count`` 0, no email sent), so the next one starts after it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    through = models.DateTimeField()
    lead_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-through"]
        constraints = [models.UniqueConstraint(fields=["user", "through"], name="lead_digest_once_per_window")]

    def __str__(self):
        return f"digest for {self.user_id} through {self.through:%Y-%m-%d %H:%M}"
