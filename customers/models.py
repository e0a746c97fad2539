from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper


class LifecycleStage(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    LEAD = "lead", "Lead"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"
    CHURNED = "churned", "Churned"


class DealOutcome(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Customer(models.Model):
    """An organisation in the customer base: a customer or a prospect.

    A blank number, date or yes/no is unknown, never zero or no: scoring says
    "no data" for it.
    """

    external_id = models.CharField(max_length=64, unique=True, help_text="The CRM's record id.")
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, blank=True)
    # Firmographics and geography
    industry = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="Whole currency units.",
        validators=[MinValueValidator(0, "It cannot be negative.")],
    )
    contact_titles = models.TextField(blank=True, help_text="Job titles of the main contacts, separated by semicolons.")
    # Pipeline
    lifecycle_stage = models.CharField(max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.PROSPECT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_customers",
        help_text="The sales rep who owns the account.",
    )
    crm_created_on = models.DateField(null=True, blank=True, verbose_name="created in the CRM")
    closed_on = models.DateField(null=True, blank=True, verbose_name="closed on")
    deal_outcome = models.CharField(max_length=10, choices=DealOutcome.choices, blank=True)
    sales_cycle_days = models.PositiveIntegerField(null=True, blank=True)
    # Outcomes
    clv = models.BigIntegerField(null=True, blank=True, verbose_name="CLV")
    tenure_months = models.PositiveIntegerField(null=True, blank=True)
    # Product usage
    active_days_30d = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name="active days (last 30)", validators=[MaxValueValidator(30)]
    )
    features_used = models.PositiveIntegerField(null=True, blank=True)
    # Engagement over the last 30 days
    website_visits_30d = models.PositiveIntegerField(null=True, blank=True)
    email_opens_30d = models.PositiveIntegerField(null=True, blank=True)
    email_clicks_30d = models.PositiveIntegerField(null=True, blank=True)
    social_engagements_30d = models.PositiveIntegerField(null=True, blank=True)
    # Advocacy and feedback
    referrals_made = models.PositiveIntegerField(null=True, blank=True)
    has_case_study = models.BooleanField(null=True, blank=True, verbose_name="case study")
    has_public_review = models.BooleanField(null=True, blank=True, verbose_name="public review")
    is_prominent_brand = models.BooleanField(null=True, blank=True, verbose_name="prominent brand")
    nps = models.SmallIntegerField(
        null=True,
        blank=True,
        verbose_name="NPS (latest, 0-10)",
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    sentiment = models.SmallIntegerField(
        null=True,
        blank=True,
        verbose_name="sentiment (average, -100 to 100)",
        help_text="The average sentiment of the customer's comments, from -100 (negative) to 100 (positive).",
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
    )
    # What a company tracks that we do not model; rubric criteria may use it.
    extra = models.JSONField(default=dict, blank=True, verbose_name="extra attributes")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["lifecycle_stage"], name="customer_stage_idx"),
            models.Index(fields=["owner", "lifecycle_stage"], name="customer_owner_stage_idx"),
            # The customer list: ordered by name, filtered by industry or geography.
            models.Index(fields=["name", "id"], name="customer_name_idx"),
            models.Index(fields=["industry", "name", "id"], name="customer_industry_name_idx"),
            models.Index(fields=["country", "name", "id"], name="customer_country_name_idx"),
            models.Index(fields=["region", "name", "id"], name="customer_region_name_idx"),
            models.Index(Upper("domain"), name="customer_domain_upper_idx"),
            # CRM sync: what changed since the last pull.
            models.Index(fields=["updated_at", "id"], name="customer_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nps__isnull=True) | models.Q(nps__gte=0, nps__lte=10),
                name="customer_nps_0_10",
            ),
            models.CheckConstraint(
                condition=models.Q(sentiment__isnull=True) | models.Q(sentiment__gte=-100, sentiment__lte=100),
                name="customer_sentiment_range",
            ),
            models.CheckConstraint(
                condition=models.Q(lifecycle_stage__in=LifecycleStage.values),
                name="customer_stage_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(deal_outcome__in=["", *DealOutcome.values]),
                name="customer_outcome_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(active_days_30d__isnull=True) | models.Q(active_days_30d__lte=30),
                name="customer_active_days_0_30",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def contact_title_list(self) -> list[str]:
        return [title.strip() for title in self.contact_titles.split(";") if title.strip()]


class ChangeAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    DELETED = "deleted", "Deleted"


class ChangeSource(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    IMPORT = "import", "Import"
    SYSTEM = "system", "System"


class CustomerChange(models.Model):
    """Who changed which fields of a customer, when, and through what.

    ``changes`` maps each changed field to ``[old, new]`` (empty for a creation).
    A deleted customer's changes stay, with its external id and name.
    """

    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, related_name="changes")
    external_id = models.CharField(max_length=64)
    customer_name = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    source = models.CharField(max_length=10, choices=ChangeSource.choices)
    source_ref = models.CharField(max_length=100, blank=True, help_text="For example the import's number.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["customer", "-changed_at", "-id"], name="customer_change_idx")]

    def __str__(self):
        return f"{self.get_action_display()} {self.external_id} by {self.changed_by or self.get_source_display()}"


class ColumnMapping(models.Model):
    """A column name a person mapped once, remembered for the next file that has it."""

    column = models.CharField(max_length=200, unique=True, help_text="The column name, normalised.")
    target = models.CharField(max_length=120, blank=True, help_text='A field, "extra:<key>", or "" to ignore.')
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.column} → {self.target or '(ignored)'}"


CATEGORY_FIELDS = ("industry", "country", "region")


class CategorySpelling(models.Model):
    """How a category value (an industry, a country, a region) is stored: every spelling with the same ``key``
    (its letters without spaces, case folded) is stored as ``spelling``. The first spelling stored becomes the
    canonical one; an admin's merge points the key of another spelling at it too (customers.services.categories).
    """

    field = models.CharField(max_length=20, choices=[(name, name) for name in CATEGORY_FIELDS])
    key = models.CharField(max_length=100, help_text="The spelling without spaces, case folded.")
    spelling = models.CharField(max_length=100, help_text="What customers store for every spelling with this key.")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["field", "spelling", "key"]
        constraints = [models.UniqueConstraint(fields=["field", "key"], name="category_spelling_unique_key")]
        indexes = [models.Index(fields=["field", "spelling"], name="category_spelling_idx")]

    def __str__(self):
        return f"{self.field}: {self.key} → {self.spelling}"
