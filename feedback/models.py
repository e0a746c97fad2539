from django.conf import settings
from django.db import models

from customers.models import Customer


class Survey(models.Model):
    """A named NPS campaign: each customer it is sent to gets a personal link (an invitation)."""

    DEFAULT_QUESTION = "How likely are you to recommend us to a friend or colleague?"

    name = models.CharField(max_length=200, unique=True)
    question = models.CharField(max_length=300, default=DEFAULT_QUESTION, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class SurveyInvitation(models.Model):
    """One customer's personal link to a survey. The link's signed token names this row and nothing else.

    ``email`` is where the link goes (the customer's ``contact_email`` extra
    attribute when it was sent); blank, the link is only in the links export.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="survey_invitations")
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["survey", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "customer"], name="survey_invitation_once_per_customer"),
        ]

    def __str__(self):
        return f"{self.survey} → {self.customer_id}"


class ResponseSource(models.TextChoices):
    WEB = "web", "Survey link"
    IMPORT = "import", "Import"


class Response(models.Model):
    """One NPS answer: a score 0-10 and a comment, with the comment's sentiment.

    ``sentiment`` is VADER's compound score of the comment (-1 to 1), None until
    computed and for an empty comment. ``answered_at`` is the first answer; a
    change within the edit window keeps it and moves ``updated_at``.
    """

    # Indexed by (customer, answered_at) below; no index of its own.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="feedback_responses", db_index=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, null=True, blank=True, related_name="responses")
    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, null=True, blank=True, related_name="response"
    )
    score = models.SmallIntegerField()
    comment = models.TextField(blank=True)
    sentiment = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=ResponseSource.choices, default=ResponseSource.WEB)
    source_ref = models.CharField(max_length=100, blank=True, help_text="For example the import's number.")
    answered_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=10), name="response_score_0_10"),
            models.CheckConstraint(
                condition=models.Q(sentiment__isnull=True) | models.Q(sentiment__gte=-1, sentiment__lte=1),
                name="response_sentiment_range",
            ),
            models.CheckConstraint(condition=models.Q(source__in=ResponseSource.values), name="response_source_valid"),
            # An answer imported again (same customer, same moment) is the same answer.
            models.UniqueConstraint(
                fields=["customer", "answered_at"],
                condition=models.Q(source="import"),
                name="response_imported_once",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-answered_at", "-id"], name="response_customer_idx"),
            models.Index(fields=["-answered_at", "-id"], name="response_recent_idx"),
            models.Index(fields=["survey", "-answered_at", "-id"], name="response_survey_idx"),
            # The comments still waiting for their sentiment (services.responses_without_sentiment): a few rows.
            models.Index(
                fields=["updated_at"],
                condition=models.Q(sentiment__isnull=True) & ~models.Q(comment=""),
                name="response_sentiment_todo_idx",
            ),
        ]

    def __str__(self):
        return f"{self.customer_id}: {self.score}"

    @property
    def category(self) -> str:
        if self.score >= 9:
            return "promoter"
        return "passive" if self.score >= 7 else "detractor"


class ReferralStatus(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Closed: yes"
    LOST = "lost", "Closed: no"


class Referral(models.Model):
    """A customer (the referrer) sent us another organisation: one in the base, or by name or domain."""

    referrer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="referrals_given")
    referred_customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals_received"
    )
    referred_name = models.CharField(max_length=200, blank=True)
    referred_domain = models.CharField(max_length=200, blank=True)
    referred_on = models.DateField()
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.OPEN)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-referred_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ReferralStatus.values), name="referral_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(referred_customer__isnull=True, referred_name="", referred_domain=""),
                name="referral_names_who",
            ),
        ]

    def __str__(self):
        return f"{self.referrer} → {self.referred_label}"

    @property
    def referred_label(self) -> str:
        if self.referred_customer_id:
            return str(self.referred_customer)
        return self.referred_name or self.referred_domain


class AdvocacyKind(models.TextChoices):
    CASE_STUDY = "case_study", "Case study"
    PUBLIC_REVIEW = "public_review", "Public review"
    REFERENCE_CALL = "reference_call", "Reference call"


class Advocacy(models.Model):
    """Something a customer did for us in public or with a prospect."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="advocacy")
    kind = models.CharField(max_length=20, choices=AdvocacyKind.choices)
    happened_on = models.DateField()
    note = models.CharField(max_length=500, blank=True, help_text="A link or a line about it.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name_plural = "advocacy"
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=AdvocacyKind.values), name="advocacy_kind_valid"),
        ]

    def __str__(self):
        return f"{self.customer}: {self.get_kind_display()}"


class FeedbackChange(models.Model):
    """Who recorded or changed a referral or an advocacy entry, when, and what changed ({field: [old, new]})."""

    entity = models.CharField(max_length=20, help_text="referral or advocacy")
    entity_id = models.BigIntegerField()
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=10, help_text="created or updated")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["entity", "entity_id"], name="feedback_change_entity_idx")]

    def __str__(self):
        return f"{self.action} {self.entity} {self.entity_id}"


class RiskDigest(models.Model):
    """One weekly at-risk digest for one person: recorded once per week (a week with nothing sends no email)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="The Monday (UTC) of the week.")
    account_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-week"]
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="risk_digest_once_per_week")]

    def __str__(self):
        return f"at-risk digest for {self.user_id}, week of {self.week}"
