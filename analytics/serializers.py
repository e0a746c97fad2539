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
    kind = serializers.ChoiceField(
        choices=["value", "set", "band"],
        help_text="`value`: one value, numeric bucket or yes / no; `set`: several values of the field tested "
        "together; `band`: a band of a number found from the data.",
    )
    value = serializers.CharField(help_text="In words: the value, `one of A, B`, `between 200 and 2,000`, ...")
    rule = serializers.CharField(help_text="The attribute and the value in words.")
    values = serializers.SerializerMethodField(help_text="A set's values, by lift (highest first); null otherwise.")
    low = serializers.SerializerMethodField(help_text="A band's lowest value; null otherwise.")
    high = serializers.SerializerMethodField(help_text="A band's highest value; null otherwise.")
    no_data = serializers.SerializerMethodField()
    best = serializers.IntegerField(help_text="How many of the best have it.")
    best_total = serializers.IntegerField(help_text="How many the best are (the n of share_best).")
    everyone = serializers.IntegerField(help_text="How many of all the customers looked at have it.")
    everyone_total = serializers.IntegerField(help_text="How many customers are looked at (the n of share_all).")
    share_best = serializers.FloatField(allow_null=True)
    share_all = serializers.FloatField(allow_null=True)
    lift = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(
        allow_null=True, help_text="For a set or a band, already corrected for the search that found it."
    )
    raw_p_value = serializers.FloatField(
        allow_null=True, help_text="For a set or a band: its own test, as if it had been the only candidate."
    )
    candidates = serializers.IntegerField(help_text="How many candidates a set or band was chosen among (1: a value).")
    q_value = serializers.FloatField(
        allow_null=True, help_text="Benjamini–Hochberg adjusted over every value, set and band of the family."
    )
    significant = serializers.BooleanField(help_text="q below 0.05.")

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_values(self, trait):
        """A set's values, by lift (highest first); null for a value or a band."""
        return list(trait.key) if trait.kind == "set" else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_low(self, trait):
        """A band's lowest value; null otherwise."""
        return trait.key.low if trait.kind == "band" else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_high(self, trait):
        """A band's highest value; null otherwise."""
        return trait.key.high if trait.kind == "band" else None

    def get_no_data(self, trait) -> bool:
        return not trait.is_data


class TraitReferenceSerializer(serializers.Serializer):
    attribute = serializers.CharField(source="attribute.field")
    kind = serializers.CharField()
    value = serializers.CharField()
    rule = serializers.CharField()


class CellSerializer(serializers.Serializer):
    best = serializers.IntegerField(help_text="How many of them are among the best.")
    everyone = serializers.IntegerField(help_text="How many customers have this combination.")
    rate = serializers.FloatField(allow_null=True, help_text="best / everyone.")


class PairSerializer(serializers.Serializer):
    first = TraitReferenceSerializer()
    second = TraitReferenceSerializer()
    both = CellSerializer()
    first_only = CellSerializer()
    second_only = CellSerializer()
    neither = CellSerializer()
    odds_ratio = serializers.FloatField(
        allow_null=True,
        help_text="The odds of the best with both and with neither over those with one only: 1 when each trait acts "
        "alone, above 1 when together they do more.",
    )
    p_value = serializers.FloatField(allow_null=True, help_text="Wald test of the interaction (Woolf), two-sided.")
    q_value = serializers.FloatField(allow_null=True, help_text="Benjamini–Hochberg adjusted over the pairs tested.")
    significant = serializers.BooleanField()
    together = serializers.ChoiceField(choices=["more", "less"])


class SuggestionSerializer(serializers.Serializer):
    field = serializers.CharField()
    operator = serializers.CharField()
    values = serializers.ListField(child=serializers.JSONField(), help_text="As a rubric criterion takes them.")
    points = serializers.IntegerField(min_value=-3, max_value=3)
    group = serializers.CharField()
    label = serializers.CharField()
    rule = serializers.CharField()
    best = serializers.IntegerField(help_text="How many of the best match it.")
    best_total = serializers.IntegerField()
    everyone = serializers.IntegerField(help_text="How many of all the customers looked at match it.")
    everyone_total = serializers.IntegerField()
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
    population = serializers.CharField(
        source="basis.among",
        help_text="Who `among` counts, in words (for clv: customers, current and churned, with a CLV).",
    )


class TraitsSerializer(serializers.Serializer):
    rubric = RubricReferenceSerializer()
    best = BestSerializer(source="discovery")
    traits = TraitSerializer(
        source="discovery.traits", many=True, help_text="Every value of the fields known before the sale."
    )
    sets = serializers.SerializerMethodField(
        help_text="Per category field, the set of values the best share most (kind `set`), p corrected for the search."
    )
    bands = serializers.SerializerMethodField(
        help_text="Per number, the band found from the data the best share most (kind `band`), p corrected for the "
        "search."
    )
    pairs = PairSerializer(
        source="discovery.pairs", many=True, help_text="The strongest traits crossed in pairs, the significant first."
    )
    also_show = TraitSerializer(
        source="discovery.after_the_sale",
        many=True,
        help_text="Values of the fields known only after the sale: what the best also show, corrected apart and "
        "never suggested.",
    )
    suggestions = SuggestionSerializer(many=True, help_text="Only from fields known before the sale.")

    @extend_schema_field(TraitSerializer(many=True))
    def get_sets(self, traits):
        """Per category field, the set of values the best share most (kind `set`)."""
        return TraitSerializer([trait for trait in traits.discovery.combined if trait.kind == "set"], many=True).data

    @extend_schema_field(TraitSerializer(many=True))
    def get_bands(self, traits):
        """Per number, the band found from the data the best share most (kind `band`)."""
        return TraitSerializer([trait for trait in traits.discovery.combined if trait.kind == "band"], many=True).data
