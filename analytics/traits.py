"""What do our best customers share? Every attribute's share among the best against its share among all.

1. The best: the top share of the customers by CLV, tenure or NPS (ties at the cut included), the
   won deals among the decided ones, or the profile's exemplars; "all" is the customers the choice
   is made among (those with a CLV, ..., every decided deal, every customer).
2. One aggregate query per attribute counts, per value (a category, a numeric bucket, yes / no, or
   no data), all the customers and the best among them.
3. Each value is tested, the best against the rest (stats.proportion_test), and the page's p-values
   are corrected together (Benjamini–Hochberg). The significant values come first: those the best share
   (more common among them), then those they lack, each by how much more (or less) common they are.
4. The significant values become criteria (suggestions.py).
"""

import dataclasses
import math
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce

from customers.models import Customer, DealOutcome, LifecycleStage
from outcomes.selectors import grouping_settings
from outcomes.stats import SIGNIFICANT_Q, false_discovery_q_values, proportion_test, ratio
from profiles.models import Exemplar, ItemStatus
from rubrics.fields import field_label
from rubrics.models import Rubric

NO_DATA = "(no data)"
LIFT_CAP = 64  # lifts are compared on a log scale capped here, so a value absent among the best still ranks


@dataclass(frozen=True)
class Attribute:
    """A customer field looked at: its values (categories), buckets (numbers: inclusive ranges) or yes / no."""

    field: str
    kind: str  # "category", "number" or "boolean"
    group: str = "fit"  # the rubric group a criterion on it belongs to
    buckets: tuple[tuple[int | None, int | None], ...] = ()

    @property
    def label(self) -> str:
        return field_label(self.field)


def _counts(*highs: int) -> tuple[tuple[int | None, int | None], ...]:
    """Buckets up to each of ``highs``, then the rest: _counts(0, 9) = (≤0, 1–9, ≥10)."""
    lows = (None, *(high + 1 for high in highs))
    return tuple(zip(lows, (*highs, None), strict=True))


ATTRIBUTES = (
    Attribute("industry", "category"),
    Attribute("country", "category"),
    Attribute("region", "category"),
    Attribute("lifecycle_stage", "category"),
    Attribute("employees", "number", buckets=_counts(9, 49, 199, 999, 1_999, 4_999)),
    Attribute(
        "annual_revenue",
        "number",
        buckets=_counts(999_999, 4_999_999, 19_999_999, 99_999_999, 499_999_999, 1_999_999_999),
    ),
    Attribute("website_visits_30d", "number", "engagement", _counts(0, 9, 29)),
    Attribute("email_opens_30d", "number", "engagement", _counts(0, 4, 19)),
    Attribute("email_clicks_30d", "number", "engagement", _counts(0, 2, 9)),
    Attribute("social_engagements_30d", "number", "engagement", _counts(0, 4)),
    Attribute("active_days_30d", "number", "engagement", _counts(0, 9, 19)),
    Attribute("features_used", "number", "engagement", _counts(4, 9, 19)),
    Attribute("referrals_made", "number", "qualitative", _counts(0, 2)),
    Attribute("nps", "number", "qualitative", _counts(6, 8)),
    Attribute("sentiment", "number", "qualitative", _counts(-21, 20)),
    Attribute("has_case_study", "boolean", "qualitative"),
    Attribute("has_public_review", "boolean", "qualitative"),
    Attribute("is_prominent_brand", "boolean", "qualitative"),
)
CATEGORY_LIMIT = 40  # the most common values of a category field tested; rarer ones are left out


@dataclass(frozen=True)
class Basis:
    """How the best customers are chosen."""

    key: str
    label: str
    field: str = ""  # ranked by this field (top share), if any
    measure: str = ""  # the field in words
    excluded: frozenset[str] = frozenset()  # attributes that only restate the choice


# What only a customer has, once won: it cannot tell a deal that will be won from one that will be lost.
AFTER_THE_SALE = frozenset(
    {
        "lifecycle_stage",
        "active_days_30d",
        "features_used",
        "referrals_made",
        "nps",
        "sentiment",
        "has_case_study",
        "has_public_review",
    }
)

BASES = {
    basis.key: basis
    for basis in (
        Basis("clv", "Top by CLV", "clv", "CLV"),
        Basis("tenure", "Top by tenure", "tenure_months", "tenure (months)"),
        Basis("nps", "Top by NPS", "nps", "NPS"),
        Basis("won", "Won deals, against every decided deal", excluded=AFTER_THE_SALE),
        Basis("exemplars", "The profile's exemplars, against every customer"),
    )
}


def bucket_label(low: int | None, high: int | None) -> str:
    if low is None:
        return f"{high:,}" if high == 0 else f"up to {high:,}"
    if high is None:
        return f"{low:,} or more"
    return f"{low:,} to {high:,}"


class Shares:
    """How common something is among the best customers and among all, from the ``best``, ``everyone``,
    ``best_total`` and ``everyone_total`` counts of the dataclass that takes these in."""

    @property
    def share_best(self) -> float | None:
        return ratio(self.best, self.best_total)

    @property
    def share_all(self) -> float | None:
        return ratio(self.everyone, self.everyone_total)

    @property
    def lift(self) -> float | None:
        return ratio(self.share_best, self.share_all)


@dataclass(frozen=True)
class Trait(Shares):
    """One value of one attribute: how many of the best and of all have it, and whether that differs."""

    attribute: Attribute
    key: object  # a category, a bucket's index, True / False; None for no data
    value: str
    best: int
    everyone: int
    best_total: int
    everyone_total: int
    p_value: float | None = None
    q_value: float | None = None

    @property
    def significant(self) -> bool:
        return self.q_value is not None and self.q_value < SIGNIFICANT_Q

    @property
    def strength(self) -> float:
        """How far the lift is from 1, on a log scale (twice as common and half as common are as strong)."""
        return lift_strength(self.lift)

    @property
    def is_data(self) -> bool:
        return self.key is not None


def lift_strength(lift: float | None) -> float:
    if lift is None:
        return 0.0
    return abs(math.log2(min(LIFT_CAP, max(1 / LIFT_CAP, lift))))


@dataclass
class Discovery:
    basis: Basis
    top: int
    cut: float | None  # the lowest value among the best (top share bases)
    best_total: int
    everyone_total: int
    traits: list[Trait] = field(default_factory=list)

    @property
    def significant(self) -> list[Trait]:
        return [trait for trait in self.traits if trait.significant]


def _value_expression(attribute: Attribute):
    if attribute.kind != "number":
        return F(attribute.field)
    whens = [When(**{f"{attribute.field}__isnull": True}, then=Value(-1))]
    for index, (_, high) in enumerate(attribute.buckets[:-1]):
        whens.append(When(**{f"{attribute.field}__lte": high}, then=Value(index)))
    return Case(*whens, default=Value(len(attribute.buckets) - 1), output_field=IntegerField())


def _key_and_label(attribute: Attribute, value) -> tuple[object, str]:
    if attribute.kind == "number":
        return (None, NO_DATA) if value == -1 else (value, bucket_label(*attribute.buckets[value]))
    if attribute.kind == "boolean":
        return (None, NO_DATA) if value is None else (value, "yes" if value else "no")
    if value in (None, ""):
        return None, NO_DATA
    if attribute.field == "lifecycle_stage" and value in LifecycleStage.values:
        return value, LifecycleStage(value).label
    return value, value


def _choice(*, basis: Basis, top: int, rubric: Rubric) -> tuple[Q, Q, float | None]:
    """(all the customers looked at, the best among them, the cut) for the basis."""
    if basis.key == "won":
        return Q(deal_outcome__in=[DealOutcome.WON, DealOutcome.LOST]), Q(deal_outcome=DealOutcome.WON), None
    if basis.key == "exemplars":
        chosen = Exemplar.objects.filter(profile_id=rubric.profile_id).exclude(status=ItemStatus.REJECTED)
        return Q(), Q(pk__in=list(chosen.values_list("customer_id", flat=True))), None
    everyone = Q(**{f"{basis.field}__isnull": False})
    counted = Customer.objects.filter(everyone).count()
    if not counted:
        return everyone, Q(pk__in=[]), None
    rank = max(1, math.ceil(counted * top / 100))
    cut = Customer.objects.filter(everyone).order_by(f"-{basis.field}").values_list(basis.field, flat=True)[rank - 1]
    return everyone, Q(**{f"{basis.field}__gte": cut}), cut


def traits_discover(*, rubric: Rubric, basis: Basis, top: int = 10) -> Discovery:
    """Every attribute's values among the best customers against all, tested and ranked (see the module)."""
    everyone_q, best_q, cut = _choice(basis=basis, top=top, rubric=rubric)
    customers = Customer.objects.filter(everyone_q).order_by()
    with grouping_settings():
        totals = customers.aggregate(everyone=Count("pk"), best=Coalesce(Count("pk", filter=best_q), 0))
        discovery = Discovery(basis, top, cut, totals["best"], totals["everyone"])
        if not discovery.best_total or discovery.best_total == discovery.everyone_total:
            return discovery
        traits = []
        for attribute in ATTRIBUTES:
            if attribute.field in basis.excluded or attribute.field == basis.field:
                continue
            rows = (
                customers.annotate(value=_value_expression(attribute))
                .values("value")
                .annotate(everyone=Count("pk"), best=Count("pk", filter=best_q))
                .order_by("-everyone")
            )
            if attribute.kind == "category":
                rows = rows[:CATEGORY_LIMIT]
            for row in rows:
                key, label = _key_and_label(attribute, row["value"])
                traits.append(
                    Trait(
                        attribute,
                        key,
                        label,
                        row["best"],
                        row["everyone"],
                        discovery.best_total,
                        discovery.everyone_total,
                    )
                )
    discovery.traits = _tested(traits)
    return discovery


def _rank(trait: Trait) -> int:
    """0: significantly more common among the best (what they share), 1: significantly less common,
    2: significant but about missing data (it says something about the records, not the customers), 3: the rest."""
    if not trait.significant:
        return 3
    if not trait.is_data:
        return 2
    return 0 if trait.lift > 1 else 1


def _tested(traits: list[Trait]) -> list[Trait]:
    """The traits with their p- and q-values, ranked (``_rank``), then by strength (the significant ones) or
    p-value (the others)."""
    p_values = [
        proportion_test(
            trait.best, trait.best_total, trait.everyone - trait.best, trait.everyone_total - trait.best_total
        )
        for trait in traits
    ]
    q_values = false_discovery_q_values(p_values)
    tested = [
        dataclasses.replace(trait, p_value=p, q_value=q) for trait, p, q in zip(traits, p_values, q_values, strict=True)
    ]
    return sorted(
        tested,
        key=lambda trait: (
            _rank(trait),
            -trait.strength if trait.significant else 0,
            trait.p_value if trait.p_value is not None else 2,
            trait.attribute.field,
            str(trait.value),
        ),
    )
