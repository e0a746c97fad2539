"""Suggested weights: what the won and lost deals say each criterion is worth, on the rubric's point scale.

1. The decided deals (won or lost) are grouped in the database by what each criterion made of them (matched,
   which band, missed, no data) and by whether they closed before the cutoff (learning) or on or after it
   (testing): one aggregate query returning a few hundred patterns with their counts, never the rows.
2. A logistic regression with an L2 penalty (scikit-learn) is fitted on the learning patterns, each weighted
   by its count: one coefficient per criterion (per band of a banded one), the change in the log-odds of
   winning when it matches.
3. Each coefficient becomes points: 2 × log2 of its odds ratio (odds twice as high: +2, as the trait
   suggestions count), rounded and kept within the rubric's range. Its 95% interval comes from the penalised
   likelihood's curvature at the fit (the inverse of its Hessian), mapped the same way.
4. Out of time: the current points and the suggested points each rank the deals closed on or after the
   cutoff (by the scoring engine: caps and gates included), and their AUCs are compared with DeLong's paired
   test.

Criteria on a field known only after the sale are not fitted (they would learn the sale itself) and keep
their points in both scores. Below ``MIN_WON`` won deals to learn from, nothing is suggested.
"""

import dataclasses
import datetime
import hashlib
import json
import math
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Q, Value, When

from customers.models import Customer
from ops.planner import wide_aggregate_planning
from outcomes.populations import DECIDED, WON, known_after_the_sale
from outcomes.stats import Auc, AucComparison, Z, auc_compare

from . import scoring
from .compile import outcome_annotations
from .criteria_sql import NO_DATA_CODE
from .value_profile import base_generation

MIN_WON, MIN_LOST = 50, 10
TEST_SHARE = 0.2  # the latest fifth of the decided deals tests the suggestion
MIN_TEST = 30  # won and lost deals each, for the out-of-time comparison
PENALTY_C = 1.0  # scikit-learn's inverse penalty strength, on count-weighted deals
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Slot:
    """What one coefficient is about: a criterion, or one band of a banded criterion."""

    criterion: scoring.Criterion
    band: int | None = None

    @property
    def label(self) -> str:
        name = self.criterion.label or self.criterion.field
        if self.band is None:
            return name
        band = self.criterion.bands[self.band]
        return f"{name}: {band.label or f'band {self.band + 1}'}"

    @property
    def current(self) -> int:
        return self.criterion.bands[self.band].points if self.band is not None else self.criterion.points

    def matched(self, code: int) -> bool:
        return code >= 0 and (self.band is None or code == self.band)


@dataclass(frozen=True)
class SuggestedWeight:
    slot: Slot
    coefficient: float
    low: float  # 95% interval of the coefficient
    high: float
    points: int
    points_low: int
    points_high: int
    matched: int  # learning deals it matches

    @property
    def sure(self) -> bool:
        return self.low > 0 or self.high < 0

    @property
    def words(self) -> str:
        span = f"{self.points_low:+d} to {self.points_high:+d}"
        if not self.sure:
            return f"The deals do not say clearly ({span})."
        if self.points == 0:
            return "A real but small difference: less than a point."
        if self.coefficient > 0:
            return f"Won deals match it more often: worth about {self.points:+d} ({span})."
        return f"Won deals match it less often: worth about {self.points:+d} ({span})."


@dataclass(frozen=True)
class Row:
    slot: Slot
    weight: SuggestedWeight | None
    why_none: str
    teams: tuple = ()  # (team, points) proposed for it in a workshop


@dataclass
class Suggestion:
    """The fit, or why there is none (``thin``)."""

    weights: list[SuggestedWeight] = field(default_factory=list)
    left_out: list[Slot] = field(default_factory=list)  # known only after the sale
    constant: list[Slot] = field(default_factory=list)  # match all or none of the learning deals
    cutoff: datetime.date | None = None
    won: int = 0
    lost: int = 0
    test_won: int = 0
    test_lost: int = 0
    thin: str = ""
    current_auc: Auc | None = None
    suggested_auc: Auc | None = None
    comparison: AucComparison | None = None

    def rows(self, rubric: scoring.Rubric) -> list["Row"]:
        """One row per criterion (per band of a banded one) of ``rubric``, in its order."""
        weights = {(w.slot.criterion.id, w.slot.band): w for w in self.weights}
        left_out = {(slot.criterion.id, slot.band) for slot in self.left_out}
        rows = []
        for criterion in rubric.criteria:
            for band in range(len(criterion.bands)) if criterion.operator == "bands" else [None]:
                slot, key = Slot(criterion, band), (criterion.id, band)
                if key in weights:
                    rows.append(Row(slot, weights[key], ""))
                elif key in left_out:
                    rows.append(Row(slot, None, "Known only after the sale: not learned from the sale."))
                else:
                    rows.append(Row(slot, None, "Matches every decided deal or none: nothing to learn."))
        return rows

    @property
    def sentence(self) -> str:
        if self.thin:
            return self.thin
        learned = f"Learned from {self.won:,} won and {self.lost:,} lost deals"
        if self.cutoff is None or self.comparison is None:
            return f"{learned}; too few deals closed later to test it on."
        learned += f" closed before {self.cutoff:%-d %B %Y}"
        tested = (
            f"on the {self.test_won + self.test_lost:,} deals closed since, the suggested points separate won from "
            f"lost with an AUC of {self.suggested_auc.value:.3f}, the current points {self.current_auc.value:.3f}"
        )
        verdict = {
            "first": "the suggestion separates them significantly better",
            "second": "the current points separate them significantly better",
            None: "not a significant difference",
        }[self.comparison.better]
        return f"{learned}; {tested}: {verdict}."


def _points(coefficient: float, lowest: int, highest: int) -> int:
    if not math.isfinite(coefficient):
        return highest if coefficient > 0 else lowest
    return max(lowest, min(highest, round(2 * coefficient / math.log(2))))


def _cutoff(deals) -> datetime.date | None:
    dated = deals.filter(closed_on__isnull=False)
    count = dated.count()
    if not count:
        return None
    position = min(count - 1, int(count * (1 - TEST_SHARE)))
    cutoff = dated.order_by("closed_on").values_list("closed_on", flat=True)[position]
    # Deals closed on the cutoff day are tested; with none closed before it, nothing would be left to learn from.
    return cutoff if dated.filter(closed_on__lt=cutoff).exists() else None


def _patterns(criteria: tuple[scoring.Criterion, ...], cutoff: datetime.date | None) -> list[tuple]:
    """(codes, won, later, count) of the decided deals, in one grouped query."""
    codes = outcome_annotations(scoring.Rubric(criteria=criteria, threshold=0))
    won = Case(When(WON, then=Value(1)), default=Value(0), output_field=IntegerField())
    later = Value(0) if cutoff is None else Case(When(Q(closed_on__gte=cutoff), then=Value(1)), default=Value(0))
    deals = Customer.objects.filter(DECIDED).order_by().annotate(**codes, won_flag=won, later=later)
    names = list(codes)
    with wide_aggregate_planning():
        rows = deals.values(*names, "won_flag", "later").annotate(n=Count("pk"))
        return [(tuple(row[name] for name in names), row["won_flag"], row["later"], row["n"]) for row in rows]


def _rank(rubric: scoring.Rubric, codes: tuple[int, ...]) -> int:
    """A pattern's rank by ``rubric`` (its total, above every total when it passes the gates), from what each
    criterion made of it, by the scoring engine."""
    slots, matched, no_data = rubric.first_slots(), 0, 0
    for criterion, code in zip(rubric.criteria, codes, strict=True):
        if code >= 0:
            matched |= 1 << (slots[criterion.id] + code)
        elif code == NO_DATA_CODE:
            no_data |= 1 << slots[criterion.id]
    return scoring.explain_score(rubric, matched, no_data).rank


def _with_points(rubric: scoring.Rubric, weights: list[SuggestedWeight]) -> scoring.Rubric:
    by_slot = {(weight.slot.criterion.id, weight.slot.band): weight.points for weight in weights}
    criteria = []
    for criterion in rubric.criteria:
        if criterion.operator == "bands":
            bands = tuple(
                dataclasses.replace(band, points=by_slot.get((criterion.id, index), band.points))
                for index, band in enumerate(criterion.bands)
            )
            criteria.append(dataclasses.replace(criterion, bands=bands))
        else:
            criteria.append(dataclasses.replace(criterion, points=by_slot.get((criterion.id, None), criterion.points)))
    return dataclasses.replace(rubric, criteria=tuple(criteria))


def _fit(slots: list[Slot], indexes: list[int], learning: list[tuple]):
    """Coefficients and their standard errors of the count-weighted logistic regression."""
    features = np.array(
        [
            [int(slot.matched(codes[index])) for slot, index in zip(slots, indexes, strict=True)]
            for codes, _, _ in learning
        ],
        dtype=float,
    )
    outcome = np.array([won for _, won, _ in learning])
    counts = np.array([count for _, _, count in learning], dtype=float)
    from sklearn.linear_model import LogisticRegression  # loaded when first fitted: a second at start-up otherwise

    model = LogisticRegression(C=PENALTY_C, l1_ratio=0, tol=1e-8, max_iter=1000)
    model.fit(features, outcome, sample_weight=counts)
    # The penalised log-likelihood's Hessian: X'WX (W: count · p(1 - p)) plus the penalty (1 / C) on the
    # coefficients, not on the intercept; its inverse is the coefficients' covariance at the fit.
    design = np.hstack([features, np.ones((len(features), 1))])
    chance = model.predict_proba(features)[:, 1]
    hessian = design.T @ (design * (counts * chance * (1 - chance))[:, None])
    hessian[:-1, :-1] += np.eye(len(slots)) / PENALTY_C
    errors = np.sqrt(np.clip(np.diag(np.linalg.pinv(hessian))[:-1], 0, None))
    return model.coef_[0], errors


def weights_suggest(rubric: scoring.Rubric, *, cutoff: datetime.date | None = None) -> Suggestion:
    """Suggested points for every criterion (band) of ``rubric`` from the decided deals (see the module)."""
    deals = Customer.objects.filter(DECIDED)
    cutoff = cutoff or _cutoff(deals)
    patterns = _patterns(rubric.criteria, cutoff)
    learning = [(codes, won, count) for codes, won, later, count in patterns if not later]
    testing = [(codes, won, count) for codes, won, later, count in patterns if later]
    result = Suggestion(cutoff=cutoff)
    result.won = sum(count for _, won, count in learning if won)
    result.lost = sum(count for _, won, count in learning if not won)
    result.test_won = sum(count for _, won, count in testing if won)
    result.test_lost = sum(count for _, won, count in testing if not won)
    if result.won < MIN_WON or result.lost < MIN_LOST:
        result.thin = (
            f"Too few decided deals to learn from: {result.won:,} won and {result.lost:,} lost"
            f"{f' closed before {cutoff:%-d %B %Y}' if cutoff else ''}; at least {MIN_WON} won and {MIN_LOST} "
            "lost deals are needed."
        )
        return result
    slots, indexes = [], []
    for index, criterion in enumerate(rubric.criteria):
        bands = range(len(criterion.bands)) if criterion.operator == "bands" else [None]
        for band in bands:
            slot = Slot(criterion, band)
            if known_after_the_sale(criterion.field):
                result.left_out.append(slot)
                continue
            matched = sum(count for codes, _, count in learning if slot.matched(codes[index]))
            if matched in (0, result.won + result.lost):
                result.constant.append(slot)
                continue
            slots.append(slot)
            indexes.append(index)
    if not slots:
        result.thin = (
            "No criterion to learn a weight for: each is known only after the sale, or matches every deal or none."
        )
        return result
    coefficients, errors = _fit(slots, indexes, learning)
    for slot, index, coefficient, error in zip(slots, indexes, coefficients, errors, strict=True):
        low, high = coefficient - Z * error, coefficient + Z * error
        result.weights.append(
            SuggestedWeight(
                slot=slot,
                coefficient=float(coefficient),
                low=float(low),
                high=float(high),
                points=_points(coefficient, rubric.min_points, rubric.max_points),
                points_low=_points(low, rubric.min_points, rubric.max_points),
                points_high=_points(high, rubric.min_points, rubric.max_points),
                matched=sum(count for codes, _, count in learning if slot.matched(codes[index])),
            )
        )
    if min(result.test_won, result.test_lost) >= MIN_TEST:
        _test(result, rubric, testing)
    return result


def _test(result: Suggestion, rubric: scoring.Rubric, testing: list[tuple]) -> None:
    suggested = _with_points(rubric, result.weights)
    joint: dict[tuple[int, int], list[int]] = {}
    for codes, won, count in testing:
        pair = joint.setdefault((_rank(suggested, codes), _rank(rubric, codes)), [0, 0])
        pair[0 if won else 1] += count
    result.comparison = auc_compare({key: tuple(counts) for key, counts in joint.items()})
    result.suggested_auc, result.current_auc = result.comparison.first, result.comparison.second


def weights_suggest_cached(rubric: scoring.Rubric) -> Suggestion:
    """``weights_suggest``, kept for an hour per set of rules and points while the base does not change."""
    described = [
        [c.id, c.field, c.operator, list(c.values), [[b.min, b.max, b.points] for b in c.bands], c.points]
        for c in rubric.criteria
    ]
    described.append([rubric.min_points, rubric.max_points, base_generation()])
    digest = hashlib.sha256(json.dumps(described, default=str).encode()).hexdigest()[:32]
    key = f"rubrics:suggested-weights:{digest}"
    found = cache.get(key)
    if found is None:
        found = weights_suggest(rubric)
        cache.set(key, found, CACHE_SECONDS)
    return found
