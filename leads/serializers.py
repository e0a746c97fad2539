"""What the lead API returns: one qualified customer of a rubric, as the lead list shows it."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import LifecycleStage

from .exports import lead_grade
from .models import DispositionStatus


class LeadSerializer(serializers.Serializer):
    """A qualified lead: a customer whose score on the rubric reached its threshold, with every must-have
    matched and no disqualifier."""

    # Serializes ``lead_list`` rows; the context holds the rubric's ``scale`` (for the grade) and the ``request``.
    id = serializers.IntegerField(source="customer_id", help_text="The customer's id.")
    name = serializers.CharField(source="customer.name")
    domain = serializers.CharField(source="customer.domain")
    score = serializers.IntegerField(
        source="total",
        help_text="The total: the points of every matched criterion, each group's up to its cap (fit + engagement "
        "+ qualitative).",
    )
    fit = serializers.IntegerField(help_text="The fit group's points, up to its cap.")
    engagement = serializers.IntegerField(help_text="The engagement group's points, up to its cap.")
    qualitative = serializers.IntegerField(help_text="The qualitative group's points, up to its cap.")
    grade = serializers.SerializerMethodField()
    qualified = serializers.BooleanField()
    owner = serializers.CharField(
        source="customer.owner.username", allow_null=True, help_text="The owning rep's username; null if unowned."
    )
    stage = serializers.ChoiceField(source="customer.lifecycle_stage", choices=LifecycleStage.choices)
    industry = serializers.CharField(source="customer.industry")
    country = serializers.CharField(source="customer.country")
    region = serializers.CharField(source="customer.region")
    disposition = serializers.ChoiceField(
        choices=DispositionStatus.choices,
        allow_null=True,
        help_text="What a rep made of the lead; null if nothing yet.",
    )
    qualified_at = serializers.DateTimeField(allow_null=True, help_text="When the lead last qualified.")
    version = serializers.IntegerField(source="version.number", help_text="The rubric version that scored it.")
    url = serializers.SerializerMethodField()

    @extend_schema_field(
        {"type": "string", "nullable": True, "description": "The grade on the published rubric; null below every one."}
    )
    def get_grade(self, lead) -> str | None:
        return lead_grade(self.context["scale"], lead.total)

    @extend_schema_field({"type": "string", "format": "uri", "description": "The lead's page."})
    def get_url(self, lead) -> str:
        path = reverse("leads:detail", args=[lead.rubric_id, lead.customer_id])
        return self.context["request"].build_absolute_uri(path)
