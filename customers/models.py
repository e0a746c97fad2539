from django.conf import settings
from django.db import models


class LifecycleStage(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    LEAD = "lead", "Lead"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"
    CHURNED = "churned", "Churned"


class Customer(models.Model):
    """An organisation in the customer base: a customer or a prospect.

    A blank number is unknown, never zero: scoring says "no data" for it.
    """

    external_id = models.CharField(max_length=64, unique=True, help_text="The CRM's record id.")
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.BigIntegerField(null=True, blank=True, help_text="Whole currency units.")
    lifecycle_stage = models.CharField(max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.PROSPECT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_customers",
    )
    website_visits_30d = models.PositiveIntegerField(null=True, blank=True)
    email_opens_30d = models.PositiveIntegerField(null=True, blank=True)
    email_clicks_30d = models.PositiveIntegerField(null=True, blank=True)
    social_engagements_30d = models.PositiveIntegerField(null=True, blank=True)
    tenure_months = models.PositiveIntegerField(null=True, blank=True)
    clv = models.BigIntegerField(null=True, blank=True, verbose_name="CLV")
    nps = models.SmallIntegerField(null=True, blank=True, verbose_name="NPS (latest, 0-10)")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["lifecycle_stage"], name="customer_stage_idx"),
            models.Index(fields=["owner", "lifecycle_stage"], name="customer_owner_stage_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nps__isnull=True) | models.Q(nps__gte=0, nps__lte=10),
                name="customer_nps_0_10",
            ),
            models.CheckConstraint(
                condition=models.Q(lifecycle_stage__in=LifecycleStage.values),
                name="customer_stage_valid",
            ),
        ]

    def __str__(self):
        return self.name
