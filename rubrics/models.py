import datetime

from django.conf import settings
from django.db import models

from customers.models import Customer
from profiles.models import Profile


class LeadAudience(models.TextChoices):
    """Whom a rubric's leads are meant for: prospects to win (new business), existing customers to grow
    (expansion), or both (the lead list then shows them under two tabs)."""

    NEW_BUSINESS = "new_business", "New business (prospects)"
    EXPANSION = "expansion", "Expansion (existing customers)"
    BOTH = "both", "Both"


class Rubric(models.Model):
    """How one profile's fit is scored. A customer has one score per rubric."""

    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="rubrics")
    name = models.CharField(max_length=120)
    audience = models.CharField(
        "leads for",
        max_length=12,
        choices=LeadAudience.choices,
        default=LeadAudience.BOTH,
        help_text="New business lists prospects only, expansion existing customers only; both shows two tabs.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["profile__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "name"], name="rubric_name_unique_per_profile"),
            models.CheckConstraint(condition=models.Q(audience__in=LeadAudience.values), name="rubric_audience_valid"),
        ]

    def __str__(self):
        return f"{self.profile}: {self.name}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class RubricVersion(models.Model):
    """One version of a rubric: a draft (at most one), the published one (at most one), or retired.

    A published or retired version never changes, so a past score can always
    be explained by the version that produced it. ``revision`` counts the
    changes to a draft, so two admins editing it cannot overwrite each other.
    """

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    threshold = models.IntegerField(help_text="Points a customer needs to qualify.")
    min_points = models.SmallIntegerField(default=-3)
    max_points = models.SmallIntegerField(default=3)
    grades = models.JSONField(default=list, blank=True, help_text='[{"label": "A", "min": 10}, ...]')
    caps = models.JSONField(
        default=dict, blank=True, help_text='The most points a group adds to the total: {"engagement": 6}.'
    )
    note = models.TextField(blank=True, help_text="What changed, and why.")
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # The backtest against the version it replaced, as it stood when this one was published (rubrics.backtest),
    # and, when that said this version separates won from lost deals worse, why it was published anyway.
    backtest = models.JSONField(default=dict, blank=True)
    publish_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["rubric", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "number"], name="rubric_version_number_unique"),
            models.UniqueConstraint(fields=["rubric"], condition=models.Q(status="draft"), name="rubric_one_draft"),
            models.UniqueConstraint(
                fields=["rubric"], condition=models.Q(status="published"), name="rubric_one_published"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=VersionStatus.values), name="rubric_version_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.rubric} v{self.number} ({self.get_status_display().lower()})"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class CriterionGroup(models.TextChoices):
    FIT = "fit", "Fit"
    ENGAGEMENT = "engagement", "Engagement"
    QUALITATIVE = "qualitative", "Qualitative"


class Gate(models.TextChoices):
    """What a criterion counts as (see rubrics/scoring.py): points only, or a gate as well."""

    POINTS = "", "adds points"
    MUST = "must", "must-have"
    NEVER = "never", "disqualifier"


class Operator(models.TextChoices):
    IN = "in", "is one of"
    NOT_IN = "not_in", "is not one of"
    EMPTY = "empty", "is empty"
    GTE = "gte", "is at least"
    LTE = "lte", "is at most"
    BETWEEN = "between", "is between"
    BANDS = "bands", "falls in a band"
    TRUE = "true", "is yes"
    FALSE = "false", "is no"
    CONTAINS_ANY = "contains_any", "contains any of"


class Criterion(models.Model):
    """One rule of a version; see rubrics/scoring.py for what each operator means.

    ``field`` is a customer field name or ``extra.<key>``; ``values`` and
    ``bands`` are JSON lists as scoring.Criterion takes them.
    """

    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    group = models.CharField(max_length=12, choices=CriterionGroup.choices, default=CriterionGroup.FIT)
    label = models.CharField(max_length=200, blank=True, help_text="In plain words, e.g. “Industry fit”.")
    field = models.CharField(max_length=100)
    operator = models.CharField(max_length=12, choices=Operator.choices)
    values = models.JSONField(default=list, blank=True)
    bands = models.JSONField(
        default=list, blank=True, help_text='[{"label": "high", "min": 10, "max": null, "points": 3}]'
    )
    points = models.SmallIntegerField(default=0)
    gate = models.CharField(
        "counts as",
        max_length=5,
        choices=Gate.choices,
        default=Gate.POINTS,
        blank=True,
        help_text="A must-have: only customers it matches qualify. A disqualifier: customers it matches never do.",
    )
    # Engagement from events with decay (scoring.Decay), or {} for the field alone: {"event_type": "email_click",
    # "points": 1, "half_life": 14, "cap_per_day": 20, "cap_total": 30} (caps may be null).
    decay = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["version", "position", "id"]
        verbose_name_plural = "criteria"
        constraints = [models.CheckConstraint(condition=models.Q(gate__in=Gate.values), name="criterion_gate_valid")]

    def __str__(self):
        return self.label or f"{self.field} {self.get_operator_display()}"


# What the lead list's indexes carry besides their sort order (see Score.Meta.indexes).
LEAD_COLUMNS = ("total", "fit", "engagement", "owner", "industry", "country", "region", "stage")


class Score(models.Model):
    """A customer's score by a rubric, with the version that produced it and what matched.

    ``matched`` and ``no_data`` are bitmasks of the version's criteria (one bit
    per band of a banded criterion); scoring.explain turns them back into the
    breakdown, so the total always equals the points shown beside it.
    """

    # No index of their own on the three keys: the unique (customer, rubric) and the lead-list
    # (rubric, ...) indexes serve customer and rubric, and versions are never deleted one by one.
    # Every re-scored row would otherwise write three more index entries.
    # On PostgreSQL the table is partitioned by rubric (score_tables.py): a row can only go to its rubric's
    # partition, which goes with the rubric, so the rubric needs no database constraint; a published version is
    # never deleted (PROTECT keeps it). Without them, a publish's new partition has one foreign key to check
    # when it is attached, the customer's, instead of three.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="scores", db_index=False)
    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="scores", db_index=False, db_constraint=False
    )
    version = models.ForeignKey(
        RubricVersion, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    total = models.IntegerField()
    fit = models.IntegerField()
    engagement = models.IntegerField()
    qualitative = models.IntegerField()
    qualified = models.BooleanField()
    matched = models.BigIntegerField()
    no_data = models.BigIntegerField()
    scored_at = models.DateTimeField()
    # Copies of the customer's fields that the lead list filters and sorts by, written with every
    # score (a change to a customer re-scores it), so that one index answers a filtered page
    # without joining a million customers. Who may see a lead is still decided on the customer
    # (leads.selectors.lead_scope); these only find the candidates fast.
    name = models.CharField(max_length=200, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )
    industry = models.CharField(max_length=100, default="")
    country = models.CharField(max_length=100, default="")
    region = models.CharField(max_length=100, default="")
    stage = models.CharField(max_length=20, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "rubric"], name="score_one_per_customer_and_rubric")]
        # The lead list: a rubric's qualified customers in each of its sort orders. Partial (qualified
        # only), so a re-score writes fewer entries; the filtered columns ride along (INCLUDE), so a
        # filtered or deep page is read from the index alone. Lookups of a rubric's unqualified scores
        # have no index (rare).
        indexes = [
            models.Index(
                fields=[*order, "customer"],
                include=[column for column in LEAD_COLUMNS if column not in {key.lstrip("-") for key in order}],
                condition=models.Q(qualified=True),
                name=name,
            )
            for name, order in (
                ("score_lead_list_idx", ["rubric", "-total"]),
                ("score_lead_fit_idx", ["rubric", "-fit", "-total"]),
                ("score_lead_engagement_idx", ["rubric", "-engagement", "-total"]),
                ("score_lead_name_idx", ["rubric", "name"]),
            )
        ] + [
            # The lead list's tabs count a rubric's qualified leads by stage (new business, expansion, churned)
            # and owner (a rep's): a range of this small index each, where the ones above read every lead.
            # The columns the list filters by ride along, so a filtered count (a country, a grade) is read
            # from the index alone too: without them each count looked up a thousand rows or more in the
            # table (17 ms for a country's three tabs, 6 ms with them). Within a stage and owner, the latest
            # customers come first: "new since my last visit" counts new accounts (the latest ids) before the
            # rest, where in table order it read each range to its end to find them (an admin's three counts
            # 45 to 49 ms on the 1M base, 23 to 27 ms newest first).
            models.Index(
                fields=["rubric", "stage", "owner", "-customer"],
                include=["total", "engagement", "industry", "country", "region"],
                condition=models.Q(qualified=True),
                name="score_lead_stage_idx",
            )
        ]

    def __str__(self):
        return f"{self.customer_id} by {self.rubric_id}: {self.total}"


class QualificationChange(models.Model):
    """A customer entered or left qualification by a rubric (``was_qualified`` None: first score)."""

    # The customer and the rubric are found by the two indexes below, which start with them: no index of their
    # own, which a publish moving many qualifications would write once more per change.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="qualification_changes", db_index=False
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="qualification_changes", db_index=False)
    version = models.ForeignKey(RubricVersion, on_delete=models.PROTECT, related_name="+")
    was_qualified = models.BooleanField(null=True)
    qualified = models.BooleanField()
    total = models.IntegerField()
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["rubric", "-changed_at"], name="qualification_change_idx"),
            models.Index(fields=["customer", "rubric", "-changed_at"], name="qualification_customer_idx"),
        ]

    def __str__(self):
        return f"{self.customer_id} by {self.rubric_id}: {self.was_qualified} → {self.qualified}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    SUPERSEDED = "superseded", "Superseded"


class RescoreJob(models.Model):
    """Re-scoring a rubric's whole customer base with one version, chunk by chunk."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="rescore_jobs")
    version = models.ForeignKey(RubricVersion, on_delete=models.PROTECT, related_name="rescore_jobs")
    reason = models.CharField(max_length=20, help_text="publish, nightly or manual")
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_changed = models.PositiveIntegerField(default=0, help_text="Scores written: any difference, the version too.")
    scores_moved = models.PositiveIntegerField(
        null=True, blank=True, default=0, help_text="Scores whose total or qualification moved; unknown for older jobs."
    )
    error = models.TextField(blank=True)
    table = models.CharField(
        max_length=63,
        blank=True,
        default="",
        help_text="The table the job's chunks fill, switched in as the rubric's partition at the end "
        "(PostgreSQL, a publish); empty: the scores are upserted in place.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=JobStatus.values), name="rescore_job_status_valid")
        ]

    def __str__(self):
        return f"Re-score {self.pk} of {self.rubric} v{self.version.number}"

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at

    @property
    def scores_restamped(self) -> int | None:
        """Scores written whose total and qualification stayed: they took the new version (or a new breakdown)."""
        return None if self.scores_moved is None else self.rows_changed - self.scores_moved


class ChunkStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


class RescoreChunk(models.Model):
    """One primary-key range of a re-score job; done once, whatever number of times its task runs."""

    job = models.ForeignKey(RescoreJob, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    low_id = models.BigIntegerField()
    high_id = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    rows_changed = models.PositiveIntegerField(default=0)
    scores_moved = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="rescore_chunk_number_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=ChunkStatus.values), name="rescore_chunk_status_valid"
            ),
        ]

    def __str__(self):
        return f"Chunk {self.number} ({self.low_id}-{self.high_id}) of re-score {self.job_id}"
