"""What the customer base says about one criterion, shown wherever a criterion is proposed or edited.

For a rule (a criterion, or a proposal of one) on the whole base:
- how many customers it matches, how many have no data for it;
- the win rate of the decided deals (won or lost) it matches against the rest's, each with Wilson's
  95% interval, and the two-proportion test of the difference (outcomes.stats);
- churn and average CLV among the won deals it matches, against the rest's;
- one plain sentence saying whether it separates good from bad customers.

Two ways to the same numbers:
1. from the value profile of the base (value_profile.py): each value (or bucket) of the field is decided by
   the scoring engine itself and its counts added up: a few milliseconds;
2. from the database: one aggregate query where every customer gets the criterion's outcome code, computed
   by the same compiled SQL the re-score writes (criteria_sql.outcome_code): a few hundred milliseconds at
   a million customers. Used when the profile cannot decide the rule (an extra attribute, a bound inside a
   bucket) or describes an older base; a rebuild of the profile is then queued.
A test holds both to the same numbers.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, FloatField, Q, Sum
from django.db.models.functions import Cast

from customers.models import Customer, DealOutcome, LifecycleStage
from ops.jobs import job_send
from ops.planner import wide_aggregate_planning
from outcomes.populations import known_after_the_sale
from outcomes.stats import (
    SIGNIFICANT_Q,
    SMALL_GROUP,
    Estimate,
    Moments,
    mean_interval,
    proportion_test,
    ratio,
    wilson,
)

from . import scoring
from .criteria_sql import MISSED_CODE, NO_DATA_CODE, outcome_code
from .value_profile import BUILDING_KEY, Entry, base_generation, profile_entries, profile_is_current

PROFILE, DATABASE = "profile", "database"
SMALL_LIFT = 1.2  # a significant difference below this many times as often is called small
BUILD_WAIT_SECONDS = 120  # a rebuild queued this long ago that has not finished may be queued again

WON = Q(deal_outcome=DealOutcome.WON)


@dataclass(frozen=True)
class Side:
    """The customers a criterion matches, or the rest of the base: their deals and what the won ones became."""

    customers: int = 0
    won: int = 0
    lost: int = 0
    won_churned: int = 0
    won_clv: Moments = Moments()

    def __add__(self, other: "Side") -> "Side":
        return Side(
            self.customers + other.customers,
            self.won + other.won,
            self.lost + other.lost,
            self.won_churned + other.won_churned,
            self.won_clv + other.won_clv,
        )

    @property
    def decided(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> Estimate:
        return wilson(self.won, self.decided)

    @property
    def churn(self) -> Estimate:
        """Churned among the won deals."""
        return wilson(self.won_churned, self.won)

    @property
    def average_clv(self) -> Estimate:
        """Average CLV among the won deals that have one."""
        return mean_interval(self.won_clv)


SEPARATES, AGAINST, NO_DIFFERENCE, TOO_FEW = "separates", "against", "no difference", "too few"


@dataclass(frozen=True)
class Evidence:
    criterion: scoring.Criterion
    matched: Side
    rest: Side  # missed or no data
    no_data: int
    source: str = DATABASE  # PROFILE or DATABASE: where the counts came from

    @property
    def customers(self) -> int:
        return self.matched.customers + self.rest.customers

    @property
    def after_the_sale(self) -> bool:
        return known_after_the_sale(self.criterion.field)

    @property
    def p_value(self) -> float | None:
        if not self.matched.decided or not self.rest.decided:
            return None
        return proportion_test(self.matched.won, self.matched.decided, self.rest.won, self.rest.decided)

    @property
    def lift(self) -> float | None:
        """The matched deals' win rate over the rest's."""
        return ratio(self.matched.win_rate.value, self.rest.win_rate.value)

    @property
    def verdict(self) -> str:
        if min(self.matched.decided, self.rest.decided) < SMALL_GROUP:
            return TOO_FEW
        if self.p_value is None or self.p_value >= SIGNIFICANT_Q:
            return NO_DIFFERENCE
        return SEPARATES if self.matched.win_rate.value > self.rest.win_rate.value else AGAINST

    @property
    def sentence(self) -> str:
        """Whether the criterion separates good from bad customers, in one plain sentence."""
        matched, rest = self.matched.win_rate, self.rest.win_rate
        if self.verdict == TOO_FEW:
            return (
                f"Too few decided deals to tell: {self.matched.decided:,} among the customers it matches and "
                f"{self.rest.decided:,} among the rest (at least {SMALL_GROUP} are needed on each side)."
            )
        rates = (
            f"{_percent(matched.value)} of the deals it matches were won, against {_percent(rest.value)} of the rest"
        )
        if self.verdict == NO_DIFFERENCE:
            return f"No clear difference: {rates} (p = {self.p_value:.2f})."
        if self.verdict == SEPARATES:
            if self.lift < SMALL_LIFT:
                sentence = f"A small but real difference: {rates} ({self.lift:.2f} times as often)."
            else:
                sentence = f"It separates good from bad customers: {rates}, {self.lift:.1f} times as often."
            if self._points_sign < 0:
                sentence += " Yet it takes points away."
            return sentence
        sentence = f"It marks worse customers: {rates}."
        if self._points_sign > 0:
            sentence += " Yet it adds points."
        return sentence

    def snapshot(self) -> dict:
        """What a card keeps of the evidence (JSON): the counts, the win rates and the sentence."""
        return {
            "customers": self.customers,
            "matched": self.matched.customers,
            "no_data": self.no_data,
            "matched_won": self.matched.won,
            "matched_decided": self.matched.decided,
            "rest_won": self.rest.won,
            "rest_decided": self.rest.decided,
            "verdict": self.verdict,
            "sentence": self.sentence,
            "after_the_sale": self.after_the_sale,
        }

    @property
    def _points_sign(self) -> int:
        options = [points for points in self.criterion.point_options if points]
        if not options:
            return 0
        return 1 if max(options) > 0 and min(options) > 0 else -1 if max(options) < 0 else 0


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _aggregates() -> dict:
    clv = Cast("clv", FloatField())
    return {
        "customers": Count("pk"),
        "won": Count("pk", filter=WON),
        "lost": Count("pk", filter=Q(deal_outcome=DealOutcome.LOST)),
        "won_churned": Count("pk", filter=WON & Q(lifecycle_stage=LifecycleStage.CHURNED)),
        "clv_n": Count("clv", filter=WON),
        "clv_sum": Sum(clv, filter=WON),
        "clv_squares": Sum(clv * clv, filter=WON),
    }


def rule_evidence(criterion: scoring.Criterion) -> Evidence:
    """The criterion's evidence on the whole base, from the database: one aggregate query grouped by its
    outcome code."""
    rows = Customer.objects.order_by().annotate(code=outcome_code(criterion)).values("code").annotate(**_aggregates())
    matched, rest, no_data = Side(), Side(), 0
    with wide_aggregate_planning():
        for row in rows:
            side = Side(
                row["customers"],
                row["won"],
                row["lost"],
                row["won_churned"],
                Moments.of_sums(row["clv_n"], row["clv_sum"], row["clv_squares"]),
            )
            if row["code"] in (NO_DATA_CODE, MISSED_CODE):
                rest = rest + side
                no_data += side.customers if row["code"] == NO_DATA_CODE else 0
            else:
                matched = matched + side
    return Evidence(criterion=criterion, matched=matched, rest=rest, no_data=no_data, source=DATABASE)


def _edges(criterion: scoring.Criterion) -> list[int]:
    """The whole numbers where the rule may change from holding to not: each lowest bound, and one past each
    highest."""
    values = criterion.values
    if criterion.operator == "gte":
        return [values[0]]
    if criterion.operator == "lte":
        return [values[0] + 1]
    if criterion.operator == "between":
        return [values[0], values[1] + 1]
    if criterion.operator == "bands":
        edges = [band.min for band in criterion.bands if band.min is not None]
        return edges + [band.max + 1 for band in criterion.bands if band.max is not None]
    return []


def _decides(criterion: scoring.Criterion, entries: list[Entry]) -> bool:
    """Whether the rule holds or fails for every customer of each entry alike (no edge inside a bucket)."""
    if criterion.kind != "number":
        return True
    edges = _edges(criterion)
    return not any(entry.low is not None and entry.low < edge <= entry.high for entry in entries for edge in edges)


def profile_evidence(criterion: scoring.Criterion, entries: list[Entry]) -> Evidence | None:
    """The evidence added up from the field's profile, each value decided by the scoring engine; None when the
    profile cannot decide the rule."""
    if not _decides(criterion, entries):
        return None
    matched, rest, no_data = Side(), Side(), 0
    for entry in entries:
        tally = entry.tally
        side = Side(
            tally.customers,
            tally.won,
            tally.lost,
            tally.won_churned,
            Moments.of_sums(tally.clv_n, tally.clv_sum, tally.clv_squares),
        )
        status, _, _ = scoring.evaluate(criterion, entry.value)
        if status == scoring.MATCHED:
            matched = matched + side
        else:
            rest = rest + side
            no_data += tally.customers if status == scoring.NO_DATA else 0
    return Evidence(criterion=criterion, matched=matched, rest=rest, no_data=no_data, source=PROFILE)


def _profile_rebuild_later() -> None:
    """Queue one rebuild of the value profile (a second asker within BUILD_WAIT_SECONDS queues none)."""
    if cache.add(BUILDING_KEY, True, BUILD_WAIT_SECONDS):
        job_send("rubrics.tasks.value_profile_build", waiting="The figures come from the database meanwhile.")


def criterion_evidence(criterion: scoring.Criterion) -> Evidence:
    """The criterion's evidence on the base as it is now: from the value profile when it describes this base
    and can decide the rule, else from the database (and the profile is rebuilt if it is behind)."""
    generation = base_generation()
    if criterion.kind != "extra":
        entries = profile_entries(criterion.field, generation=generation)
        if entries is not None and (evidence := profile_evidence(criterion, entries)) is not None:
            return evidence
    if not profile_is_current(generation):
        _profile_rebuild_later()
    return rule_evidence(criterion)
