import datetime

from django.conf import settings
from django.db import models

from .sections import Section, StructuredDetails

REVIEW_AFTER = datetime.timedelta(days=365)


class Profile(models.Model):
    """An Ideal Customer Profile: its sections are items (ProfileItem), its best customers exemplars.

    Several profiles may coexist, each with its own scoring rubrics.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    agreed_at = models.DateTimeField(null=True, blank=True, help_text="When the teams last agreed on it.")
    review_on = models.DateField(null=True, blank=True, help_text="When to look at it again (a year after agreement).")
    review_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ItemStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    REJECTED = "rejected", "Rejected"


class ProfileItem(StructuredDetails, models.Model):
    """One entry of a profile section, proposed by someone and agreed or rejected by the teams.

    ``text`` is plain text. ``details`` holds a section's structured parts (see sections.py):
    messaging matrix {"pain_point", "feature", "benefit"}; persona {"title",
    "goals", "objections"}; value proposition {"industry"} when it is per industry.
    ``revision`` grows with every change, so a stale edit is refused.
    """

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(max_length=24, choices=Section.choices)
    text = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.PROPOSED)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["section", "position", "id"]
        indexes = [models.Index(fields=["profile", "section", "status"], name="profile_item_section_idx")]

    def __str__(self):
        return f"{self.get_section_display()}: {self.text[:40]}"


class ProfileItemChange(models.Model):
    """The history of an item: who changed its text or status, from what to what."""

    item = models.ForeignKey(ProfileItem, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ItemStatus.choices)
    text = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="e.g. “agreed in workshop 3”")

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.item_id} → {self.status} at {self.changed_at:%Y-%m-%d %H:%M}"


class ExemplarReason(models.TextChoices):
    CLV = "clv", "High lifetime value"
    LOYALTY = "loyalty", "Loyal for years"
    REFERRALS = "referrals", "Refers others"
    ADVOCACY = "advocacy", "Advocate (case study, reviews)"
    BRAND = "brand", "Prominent brand"


class Exemplar(models.Model):
    """A "best customer" picked from the base as an example of the profile, with the agreed reason."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="exemplars")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=ExemplarReason.choices)
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.PROPOSED)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["profile", "customer"], name="exemplar_once_per_profile")]

    def __str__(self):
        return f"{self.customer_id} for {self.profile_id} ({self.reason})"


class ChecklistStep(models.TextChoices):
    """How far a profile is: the steps of building one, in order (also a workshop's default agenda)."""

    DATA_GATHERED = "data_gathered", "Data gathered (best customers picked)"
    COMMONALITIES = "commonalities", "Commonalities found (firmographics, characteristics)"
    SEGMENTS = "segments", "Segments made (personas, value proposition per industry)"
    PAIN_POINTS = "pain_points", "Pain points defined"
    NEEDS = "needs", "Needs and motivations defined"
    SCORING = "scoring", "Scoring weights agreed"


class ChecklistMark(models.Model):
    """A checklist step someone marked done by hand (steps are also done when their items are agreed)."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="checklist_marks")
    step = models.CharField(max_length=16, choices=ChecklistStep.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "step"], name="checklist_mark_once")]

    def __str__(self):
        return f"{self.profile_id}: {self.step}"
