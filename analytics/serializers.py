"""What the analytics API returns: the pages' figures as JSON. Shares are fractions (0..1), NPS and sentiment points."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class EstimateSerializer(serializers.Serializer):
    """A figure with its 95% confidence interval and the number of observations it rests on."""

    value = serializers.FloatField(allow_null=True, help_text="Null when no customer of the group has the data.")
    low = serializers.FloatField(allow_null=True, help_text="The interval's lower end (null below two observations).")
    high = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField(help_text="Observations the figure rests on.")
    small = serializers.BooleanField(help_text="Fewer than 30 observations: read with care.")


class RubricReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    profile = serializers.CharField(source="profile.name")


class VersionReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    threshold = serializers.IntegerField()


class SegmentSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="`all`, `fit`, `not_fit` or `grade:<label>` (`grade:-`: below every grade).")
    label = serializers.CharField()
    customers = serializers.IntegerField(source="outcomes.customers")
    nps = EstimateSerializer(source="outcomes.nps", help_text="Promoters minus detractors, in points.")
    sentiment = EstimateSerializer(source="outcomes.average_sentiment", help_text="Average sentiment, -100..100.")
    churn_rate = EstimateSerializer(source="outcomes.churn_rate", help_text="Churned among customers and churned.")
    clv = EstimateSerializer(source="outcomes.average_clv", help_text="Average CLV.")
    conversion = EstimateSerializer(source="outcomes.conversion", help_text="Won among won and lost deals.")
    sales_cycle = EstimateSerializer(source="outcomes.average_sales_cycle", help_text="Average days of won deals.")
    tenure = EstimateSerializer(source="outcomes.average_tenure", help_text="Average months of tenure.")


class SegmentsSerializer(serializers.Serializer):
    rubric = RubricReferenceSerializer()
    version = VersionReferenceSerializer()
    segments = SegmentSerializer(many=True)


class BandSerializer(serializers.Serializer):
    """Customers whose score falls in [min_score, max_score], against every scored customer."""

    label = serializers.CharField()
    min_score = serializers.IntegerField()
    max_score = serializers.IntegerField()
    customers = serializers.IntegerField(source="outcomes.customers")
    share = serializers.FloatField(allow_null=True, help_text="Of every scored customer.")
    won = serializers.IntegerField(source="outcomes.won")
    lost = serializers.IntegerField(source="outcomes.lost")
    conversion = EstimateSerializer()
    conversion_lift = serializers.FloatField(allow_null=True, help_text="Conversion over the base conversion.")
    clv = EstimateSerializer(help_text="Average CLV.")
    clv_lift = serializers.FloatField(allow_null=True)
    churn_rate = EstimateSerializer(source="churn")
    churn_lift = serializers.FloatField(allow_null=True, help_text="Below 1 is better.")


class AucSerializer(serializers.Serializer):
    value = serializers.FloatField(
        allow_null=True, help_text="Area under the ROC curve, won against lost; 0.5 is chance."
    )
    low = serializers.FloatField(allow_null=True, help_text="DeLong's 95% interval.")
    high = serializers.FloatField(allow_null=True)
    won = serializers.IntegerField(source="positives")
    lost = serializers.IntegerField(source="negatives")
    small = serializers.BooleanField()


class BaseSerializer(serializers.Serializer):
    customers = serializers.IntegerField()
    conversion = EstimateSerializer()
    clv = EstimateSerializer(source="average_clv")
    churn_rate = EstimateSerializer()


class VersionAccuracySerializer(serializers.Serializer):
    version = VersionReferenceSerializer(allow_null=True)
    label = serializers.CharField()
    auc = AucSerializer()
    base = BaseSerializer()
    fit = BandSerializer(allow_null=True, help_text="The qualified customers; null when none is.")
    deciles = BandSerializer(many=True, help_text="Highest scores first; a score is never split between deciles.")
    grades = BandSerializer(many=True)


class ComparisonSerializer(serializers.Serializer):
    difference = serializers.FloatField(allow_null=True, help_text="AUC of the published version minus the other's.")
    z = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True, help_text="DeLong's paired test, two-sided.")
    better = serializers.ChoiceField(
        choices=["published", "compared"], allow_null=True, help_text="Null when neither is significantly better."
    )


class AccuracySerializer(serializers.Serializer):
    rubric = RubricReferenceSerializer()
    published = VersionAccuracySerializer()
    compared = VersionAccuracySerializer(source="other", allow_null=True)
    comparison = serializers.SerializerMethodField()

    @extend_schema_field(ComparisonSerializer(allow_null=True))
    def get_comparison(self, accuracy):
        comparison = accuracy.comparison
        if comparison is None:
            return None
        better = {"first": "published", "second": "compared", None: None}[comparison.better]
        return ComparisonSerializer({**comparison.__dict__, "better": better}).data


class TraitSerializer(serializers.Serializer):
    attribute = serializers.CharField(source="attribute.field", help_text="The customer field.")
    attribute_label = serializers.CharField(source="attribute.label")
    value = serializers.CharField(help_text="The value, the numeric bucket or yes / no, in words.")
    no_data = serializers.SerializerMethodField()
    best = serializers.IntegerField(help_text="How many of the best have it.")
    everyone = serializers.IntegerField(help_text="How many of all the customers looked at have it.")
    share_best = serializers.FloatField(allow_null=True)
    share_all = serializers.FloatField(allow_null=True)
    lift = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    q_value = serializers.FloatField(allow_null=True, help_text="Benjamini–Hochberg adjusted over every value tested.")
    significant = serializers.BooleanField(help_text="q below 0.05.")

    def get_no_data(self, trait) -> bool:
        return not trait.is_data


class SuggestionSerializer(serializers.Serializer):
    field = serializers.CharField()
    operator = serializers.CharField()
    values = serializers.ListField(child=serializers.JSONField(), help_text="As a rubric criterion takes them.")
    points = serializers.IntegerField(min_value=-3, max_value=3)
    group = serializers.CharField()
    label = serializers.CharField()
    rule = serializers.CharField()
    share_best = serializers.FloatField(allow_null=True)
    share_all = serializers.FloatField(allow_null=True)
    lift = serializers.FloatField(allow_null=True)


class BestSerializer(serializers.Serializer):
    basis = serializers.CharField(source="basis.key")
    label = serializers.CharField(source="basis.label")
    top = serializers.IntegerField(help_text="The top share in percent (for clv, tenure and nps).")
    cut = serializers.FloatField(allow_null=True, help_text="The lowest value among the best (ties included).")
    customers = serializers.IntegerField(source="best_total")
    among = serializers.IntegerField(source="everyone_total", help_text="All the customers the best are chosen among.")


class TraitsSerializer(serializers.Serializer):
    rubric = RubricReferenceSerializer()
    best = BestSerializer(source="discovery")
    traits = TraitSerializer(source="discovery.traits", many=True)
    suggestions = SuggestionSerializer(many=True)
