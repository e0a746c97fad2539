"""The shapes of "what do our best customers share?": the attributes looked at, who the best are (and among
whom), a trait (one value, a set of values or a band of a number), a pair of traits, a discovery."""

import math
from dataclasses import dataclass, field

from outcomes.populations import POPULATIONS, known_after_the_sale
from outcomes.stats import SIGNIFICANT_Q, ratio
from rubrics.fields import field_label

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

    @property
    def after_the_sale(self) -> bool:
        """Known only once the customer has bought: shown apart, never suggested (outcomes.populations)."""
        return known_after_the_sale(self.field)


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


@dataclass(frozen=True)
class Basis:
    """How the best customers are chosen, and among whom."""

    key: str
    label: str
    among: str  # the customers looked at, in words
    field: str = ""  # ranked by this field (top share), if any
    measure: str = ""  # the field in words
    excluded: frozenset[str] = frozenset()  # attributes that only restate the choice


# Won deals are compared with lost ones: whatever is known only after the sale (a customer's lifecycle stage,
# usage, NPS, ...) only restates which deals were won, so those fields are not even shown for this basis.
AFTER_THE_SALE_FIELDS = frozenset(attribute.field for attribute in ATTRIBUTES if attribute.after_the_sale)
CLIENTS_WITH = POPULATIONS["clients"] + " with {}"

BASES = {
    basis.key: basis
    for basis in (
        Basis("clv", "Top by CLV", CLIENTS_WITH.format("a CLV"), "clv", "CLV"),
        Basis("tenure", "Top by tenure", CLIENTS_WITH.format("a tenure"), "tenure_months", "tenure (months)"),
        Basis("nps", "Top by NPS", CLIENTS_WITH.format("an NPS"), "nps", "NPS"),
        Basis(
            "won",
            "Won deals, against every decided deal",
            POPULATIONS["decided"],
            excluded=AFTER_THE_SALE_FIELDS,
        ),
        Basis("exemplars", "The profile's exemplars, against every customer", "customers in the base"),
    )
}


def bucket_label(low: int | None, high: int | None) -> str:
    if low is None:
        return f"{high:,}" if high == 0 else f"up to {high:,}"
    if high is None:
        return f"{low:,} or more"
    return f"{low:,} to {high:,}"


def lift_strength(lift: float | None) -> float:
    if lift is None:
        return 0.0
    return abs(math.log2(min(LIFT_CAP, max(1 / LIFT_CAP, lift))))


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
class Band:
    """A band of a number, by the lowest and highest values its customers have; ``from_lowest`` and
    ``to_highest`` say it reaches the lowest (highest) value of all the customers looked at."""

    low: int
    high: int
    from_lowest: bool = False
    to_highest: bool = False

    def __str__(self) -> str:
        if self.low == self.high:
            return f"exactly {self.low:,}"
        if self.from_lowest and not self.to_highest:
            return f"at most {self.high:,} (from the lowest, {self.low:,})"
        if self.to_highest and not self.from_lowest:
            return f"at least {self.low:,} (up to the highest, {self.high:,})"
        return f"between {self.low:,} and {self.high:,}"


@dataclass(frozen=True)
class Trait(Shares):
    """Customers who have something (one value, a set of values, a band): how many of the best and of all
    have it, and whether that differs.

    ``key``: for a value, the category, the bucket's index, True / False, or None for no data; for a set,
    the tuple of its values (by lift, highest first); for a band, a ``Band``. ``p_value`` is the one corrected
    page-wide into ``q_value``: for a set or a band it is already corrected for the search that found it
    (outcomes.selection), and ``raw_p_value`` is the winner's own test.
    """

    attribute: Attribute
    key: object
    value: str
    best: int
    everyone: int
    best_total: int
    everyone_total: int
    p_value: float | None = None
    q_value: float | None = None
    kind: str = "value"  # "value", "set" or "band"
    raw_p_value: float | None = None
    candidates: int = 1  # how many candidates the search chose this one among

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

    @property
    def rule(self) -> str:
        """In words: “country is one of Germany, France”, “employees between 200 and 2,000”."""
        if self.kind == "set":
            return f"{self.attribute.label} is {self.value}"
        if self.kind == "band":
            return f"{self.attribute.label} {self.value}"
        return f"{self.attribute.label}: {self.value}"


@dataclass(frozen=True)
class Cell:
    """The customers with one combination of two traits: how many, and how many of them are among the best."""

    best: int
    everyone: int

    @property
    def rate(self) -> float | None:
        return ratio(self.best, self.everyone)


@dataclass(frozen=True)
class Pair:
    """Two traits crossed: the customers with both, with only one, with neither, and whether having both
    changes the odds of being among the best beyond what each does alone (``odds_ratio``, 1: it does not)."""

    first: Trait
    second: Trait
    both: Cell
    first_only: Cell
    second_only: Cell
    neither: Cell
    odds_ratio: float | None
    p_value: float | None
    q_value: float | None = None

    @property
    def significant(self) -> bool:
        return self.q_value is not None and self.q_value < SIGNIFICANT_Q

    @property
    def everyone(self) -> int:
        return self.both.everyone + self.first_only.everyone + self.second_only.everyone + self.neither.everyone

    @property
    def together(self) -> str:
        """ "more" when the pair does more than each trait alone predicts, "less" when less."""
        return "more" if self.odds_ratio is not None and self.odds_ratio > 1 else "less"


@dataclass
class Discovery:
    """What the best share, for one basis: the values, sets and bands known before the sale (corrected together),
    the pairs of the strongest of them, and the values known only after the sale (corrected apart)."""

    basis: Basis
    top: int
    cut: float | None  # the lowest value among the best (top share bases)
    best_total: int
    everyone_total: int
    traits: list[Trait] = field(default_factory=list)  # one value each, fields known before the sale
    combined: list[Trait] = field(default_factory=list)  # sets of values and bands of numbers
    pairs: list[Pair] = field(default_factory=list)  # every pair tested
    after_the_sale: list[Trait] = field(default_factory=list)  # one value each, never suggested

    @property
    def significant(self) -> list[Trait]:
        """The significant values, sets and bands of the fields known before the sale."""
        return [trait for trait in (*self.traits, *self.combined) if trait.significant]

    @property
    def tested(self) -> int:
        """How many p-values are corrected together with the values, sets and bands (before the sale)."""
        return len(self.traits) + len(self.combined)

    @property
    def significant_pairs(self) -> list[Pair]:
        return [pair for pair in self.pairs if pair.significant]
