from django.conf import settings
from django.db import models
from django.utils import timezone

from customers.models import Customer
from rubrics.models import Rubric


class AssignmentRule(models.Model):
    """Which reps get the new leads of a territory: the first active rule (by ``position``) that matches a lead
    and has a rep available wins.

    A blank territory field matches any value. ``last_rep`` is the round-robin pointer: the next lead goes to
    the first available member after it, in user id order, so the order is fair and survives restarts.
    """

    name = models.CharField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Rules are tried from the lowest number up.")
    country = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    min_employees = models.PositiveIntegerField(null=True, blank=True)
    max_employees = models.PositiveIntegerField(null=True, blank=True)
    reps = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="assignment_rules")
    weekly_cap = models.PositiveIntegerField(
        null=True, blank=True, help_text="Most leads a rep is assigned in an ISO week (blank: no cap)."
    )
    sla_hours = models.PositiveIntegerField(
        null=True,
        blank=True,
        verbose_name="hours before reassignment",
        help_text="A lead nobody touched for this long goes to the next rep (blank: the site's default).",
    )
    is_active = models.BooleanField(default=True)
    last_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_employees__isnull=True)
                | models.Q(max_employees__isnull=True)
                | models.Q(min_employees__lte=models.F("max_employees")),
                name="assignment_rule_size_range",
            ),
            models.CheckConstraint(condition=~models.Q(weekly_cap=0), name="assignment_rule_cap_positive"),
            models.CheckConstraint(condition=~models.Q(sla_hours=0), name="assignment_rule_sla_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def territory(self) -> str:
        parts = [self.country, self.region, self.industry]
        if self.min_employees is not None or self.max_employees is not None:
            low = f"{self.min_employees:,}" if self.min_employees is not None else "0"
            high = f"{self.max_employees:,}" if self.max_employees is not None else "…"
            parts.append(f"{low}–{high} employees")
        return ", ".join(part for part in parts if part) or "Anywhere"


class RepAway(models.Model):
    """A rep who takes no new leads: from now until ``until`` (included), or until they come back (None)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="away")
    until = models.DateField(null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.user_id} away until {self.until or 'further notice'}"


class AssignmentWhy(models.TextChoices):
    ASSIGNED = "assigned", "Assigned by a rule"
    REASSIGNED = "reassigned", "Reassigned: nobody touched it in time"
    CLAIMED = "claimed", "Claimed"
    GIVEN = "given", "Given by an admin"
    UNASSIGNED = "unassigned", "No rep available"


class AssignmentLog(models.Model):
    """Every owner a lead was given (or could not be given), by whom or by which rule, and why."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="assignment_logs")
    rubric = models.ForeignKey(Rubric, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rule = models.ForeignKey(AssignmentRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="logs")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    why = models.CharField(max_length=12, choices=AssignmentWhy.choices)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(why__in=AssignmentWhy.values), name="assignment_why")]
        indexes = [
            models.Index(fields=["customer", "-at"], name="assignment_customer_idx"),
            # A rep's assignments this week (the cap), and the leads waiting on their SLA.
            models.Index(fields=["to_user", "why", "at"], name="assignment_rep_week_idx"),
            models.Index(fields=["why", "at"], name="assignment_why_at_idx"),
        ]

    def __str__(self):
        return f"{self.customer_id}: {self.why} {self.from_user_id} → {self.to_user_id} at {self.at:%Y-%m-%d %H:%M}"


class RoutingCursor(models.Model):
    """The id of the last QualificationChange of a rubric already routed (as the webhooks' cursor)."""

    rubric = models.OneToOneField(Rubric, on_delete=models.CASCADE, related_name="+")
    cursor = models.BigIntegerField(default=0)

    def __str__(self):
        return f"routing of {self.rubric_id} after {self.cursor}"


class RoutingPending(models.Model):
    """A newly qualified lead taken past the cursor and not yet routed.

    Reading new qualifications and moving the cursor hold off the rubric's scoring, so they are kept short: they
    only write these rows. Each lead is then routed in a transaction of its own, which deletes its row; a worker
    that dies in between leaves the rows for the next run.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "rubric"], name="routing_pending_unique")]

    def __str__(self):
        return f"{self.customer_id} waits for routing by {self.rubric_id}"
