import math

from django.conf import settings
from django.db import models
from django.utils import timezone

from profiles.models import ItemStatus, Profile, Section
from profiles.sections import StructuredDetails
from rubrics import scoring
from rubrics.fields import field_kind
from rubrics.overlap import rule_key
from rubrics.scoring import OPERATOR_LABELS
from teams.models import Team

WEIGHT_MIN, WEIGHT_MAX = -3, 3
TIMER_LIMIT_MINUTES = 180


class WorkshopStatus(models.TextChoices):
    DRAFT = "draft", "Not started"
    RUNNING = "running", "Running"
    CLOSED = "closed", "Closed"


class Voting(models.TextChoices):
    DOTS = "dots", "Dot voting (a number of dots per person per step)"
    AGREE = "agree", "Agree / disagree per proposal"


class Workshop(models.Model):
    """A session where the teams agree on one profile, step by step.

    ``version`` grows with every change anyone makes to the workshop: the live
    fragments use it as their ETag, so a poll that finds nothing new costs one
    indexed read and answers 304. ``agenda_revision`` grows only when the agenda
    changes (a step added, renamed, moved or removed): the agenda editor's forms
    carry it, so a stale form or a double click changes nothing (services/agenda.py).
    ``bar_version`` grows only with what the step bar shows (the steps, their
    status and timers, the workshop closing), so the bar's polls stay 304 while
    people propose and vote.
    """

    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="workshops")
    title = models.CharField(max_length=200)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="facilitated_workshops"
    )
    status = models.CharField(max_length=10, choices=WorkshopStatus.choices, default=WorkshopStatus.DRAFT)
    voting = models.CharField(max_length=10, choices=Voting.choices, default=Voting.DOTS)
    anonymous_votes = models.BooleanField(default=False, help_text="Participants see counts, not who voted.")
    dots_per_step = models.PositiveSmallIntegerField(default=3)
    version = models.PositiveIntegerField(default=1)
    agenda_revision = models.PositiveIntegerField(default=1)
    bar_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="Written when the workshop closes.")
    rubric_version = models.ForeignKey(
        "rubrics.RubricVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The draft that received the agreed weights.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=WorkshopStatus.values), name="workshop_status_valid"),
            models.CheckConstraint(condition=models.Q(voting__in=Voting.values), name="workshop_voting_valid"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status == WorkshopStatus.CLOSED

    @property
    def uses_dots(self) -> bool:
        return self.voting == Voting.DOTS


class StepKind(models.TextChoices):
    ITEMS = "items", "Profile items"
    WEIGHTS = "weights", "Criterion weights"


class StepStatus(models.TextChoices):
    PENDING = "pending", "Not open yet"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Privacy(models.TextChoices):
    OPEN = "open", "Open: everyone sees proposals and votes as they happen"
    PRIVATE = "private", "Private: proposals and votes hidden until the facilitator reveals them"
    POKER = "poker", "Weight poker: each person picks points per criterion, hidden until all have picked"


class Step(models.Model):
    """One point of the agenda: proposals of profile items (in ``sections``) or of rubric criterion weights.

    ``duration_minutes`` is how long the step is planned for; the facilitator starts its timer
    (``timer_started_at``, ``timer_ends_at``, set by the server) and every screen counts down to
    ``timer_ends_at``. Time up is shown; it never closes the step by itself.
    """

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=StepKind.choices, default=StepKind.ITEMS)
    sections = models.JSONField(default=list, blank=True, help_text="The profile sections an items step is about.")
    status = models.CharField(max_length=10, choices=StepStatus.choices, default=StepStatus.PENDING)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    timer_started_at = models.DateTimeField(null=True, blank=True)
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    # A private or poker step hides what others put in until ``revealed_at`` (privacy.py).
    privacy = models.CharField(max_length=10, choices=Privacy.choices, default=Privacy.OPEN)
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workshop", "position"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "position"], name="workshop_step_position_unique"),
            models.CheckConstraint(condition=models.Q(status__in=StepStatus.values), name="workshop_step_status_valid"),
            models.CheckConstraint(condition=models.Q(privacy__in=Privacy.values), name="workshop_step_privacy_valid"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=True)
                | models.Q(duration_minutes__gte=1, duration_minutes__lte=TIMER_LIMIT_MINUTES),
                name="workshop_step_duration_range",
            ),
        ]

    def __str__(self):
        return f"{self.position + 1}. {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == StepStatus.OPEN

    @property
    def is_weights(self) -> bool:
        return self.kind == StepKind.WEIGHTS

    @property
    def is_pending(self) -> bool:
        return self.status == StepStatus.PENDING

    @property
    def is_hidden(self) -> bool:
        """Whether what people put in stays hidden from the others (a private or poker step not yet revealed)."""
        return self.privacy != Privacy.OPEN and self.revealed_at is None

    @property
    def is_poker(self) -> bool:
        return self.privacy == Privacy.POKER

    @property
    def section_labels(self) -> list[str]:
        return [Section(section).label if section in Section.values else section for section in self.sections]

    @property
    def timer_seconds_left(self) -> int | None:
        """Whole seconds until the timer ends (0 once time is up), None without a timer."""
        if self.timer_ends_at is None:
            return None
        return max(0, math.ceil((self.timer_ends_at - timezone.now()).total_seconds()))

    @property
    def timer_running(self) -> bool:
        return bool(self.timer_seconds_left)

    @property
    def timer_clock(self) -> str:
        """The time left as the countdown shows it: "4:05", "1:02:03"."""
        seconds = self.timer_seconds_left or 0
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class Participant(models.Model):
    """Someone invited to a workshop, with the team they were in then (votes are split by it)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshop_seats")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["team__name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["workshop", "user"], name="workshop_participant_once")]

    def __str__(self):
        return f"{self.user} in {self.workshop_id}"


class ProposalKind(models.TextChoices):
    ITEM = "item", "Profile item"
    WEIGHT = "weight", "Criterion weight"


class Proposal(StructuredDetails, models.Model):
    """An item for the profile or a weight for a rubric criterion, put forward in a step.

    ``text`` is plain text (always escaped when shown); an item of a structured section carries its
    parts in ``details`` (profiles/sections.py), written into the profile on closing. A weight names its
    criterion (``criterion_field``, ``criterion_operator``, ``criterion_values``
    as rubrics.Criterion takes them) and its ``points``; a weight either changes the points of a criterion
    the rubric has (``current_points`` is what it gives now) or adds a new one, never one overlapping it.
    ``revision`` grows with every edit, so a stale edit is refused.
    """

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=10, choices=ProposalKind.choices)
    section = models.CharField(max_length=24, blank=True)
    text = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    criterion_label = models.CharField(max_length=200, blank=True)
    criterion_field = models.CharField(max_length=100, blank=True)
    criterion_operator = models.CharField(max_length=12, blank=True)
    criterion_values = models.JSONField(default=list, blank=True)
    points = models.SmallIntegerField(null=True, blank=True)
    # A weight for a criterion the workshop's rubric already has: the points it gives now (None: a new one).
    current_points = models.SmallIntegerField(null=True, blank=True)
    # What the base said about a weight's rule when it was proposed (rubrics.evidence), shown on its card.
    evidence = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.PROPOSED)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The last person to change the text or points, when it was not the author (the facilitator).
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Proposed before its step opened, from the invitation's link.
    prework = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_proposals"
    )
    # The profile item a close wrote from it: a second close (after a reopen) does not write it again.
    profile_item = models.ForeignKey(
        "profiles.ProfileItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["step", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points__isnull=True) | models.Q(points__gte=WEIGHT_MIN, points__lte=WEIGHT_MAX),
                name="workshop_proposal_points_range",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=ProposalKind.values), name="workshop_proposal_kind"),
            models.CheckConstraint(condition=models.Q(status__in=ItemStatus.values), name="workshop_proposal_status"),
        ]

    def __str__(self):
        return self.text[:40] if self.kind == ProposalKind.ITEM else f"{self.criterion_label}: {self.points:+d}"

    @property
    def is_weight(self) -> bool:
        return self.kind == ProposalKind.WEIGHT

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def section_label(self) -> str:
        return Section(self.section).label if self.section in Section.values else self.section

    @property
    def rule(self) -> str:
        """A weight's criterion in plain words, e.g. "industry is one of Software, SaaS"."""
        operator = OPERATOR_LABELS.get(self.criterion_operator, self.criterion_operator)
        values = ", ".join(str(value) for value in self.criterion_values)
        return f"{self.criterion_field} {operator} {values}".strip()

    @property
    def changes_existing(self) -> bool:
        return self.current_points is not None

    @property
    def rule_spec(self) -> scoring.Criterion:
        """A weight's criterion as the scoring engine takes it."""
        return scoring.Criterion(
            id=self.pk or 0,
            field=self.criterion_field,
            kind=field_kind(self.criterion_field) or "unknown",
            operator=self.criterion_operator,
            points=self.points or 0,
            values=tuple(self.criterion_values),
            label=self.criterion_label,
        )

    @property
    def criterion_key(self) -> tuple:
        """Two weight proposals with the same key are about the same criterion (values in any order and case)."""
        return rule_key(self.rule_spec)


class Vote(models.Model):
    """One person's vote on a proposal: a dot (+1), or agree (+1) / disagree (-1).

    One per person and proposal: a double click is one vote, and a dot spent
    is counted against the person's dots in the proposal's step.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    voter_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    value = models.SmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "voter"], name="workshop_vote_once_per_proposal"),
            models.CheckConstraint(condition=models.Q(value__in=(1, -1)), name="workshop_vote_value"),
        ]

    def __str__(self):
        return f"{self.voter_id} {self.value:+d} on {self.proposal_id}"


class Comment(models.Model):
    """Plain text about a proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:40]


class ProposalChange(models.Model):
    """One line of a proposal's history: who changed what, when (an edit, a merge, an undone merge)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="changes")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_facilitator = models.BooleanField(default=False)
    what = models.CharField(max_length=300)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return self.what


class WeightPick(models.Model):
    """One person's points (-3..+3) for a criterion on the table (a weight proposal) in a weight poker round."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="picks")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    voter_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    points = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "voter"], name="workshop_pick_once_per_proposal"),
            models.CheckConstraint(
                condition=models.Q(points__gte=WEIGHT_MIN, points__lte=WEIGHT_MAX), name="workshop_pick_points_range"
            ),
        ]

    def __str__(self):
        return f"{self.voter_id} picks {self.points:+d} for {self.proposal_id}"


class ProposalMerge(models.Model):
    """A merge of ``merged`` into ``kept``, with what it moved, so that undoing it restores both exactly.

    ``moved`` lists the ids of the votes, comments and picks that went to ``kept``; ``returned`` the votes and
    picks given back (their voter had one on ``kept`` already), as they were.
    """

    kept = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    merged = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="merges")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    moved = models.JSONField(default=dict)
    returned = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.merged_id} into {self.kept_id}"
