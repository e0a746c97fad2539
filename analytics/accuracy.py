"""Is the ICP accurate? Score bands against conversion, CLV and churn, their lift, and the AUC of the score.

1. One aggregate query groups the published version's customers by their stored score (total,
   qualified flag, rank) and, when another version is compared, by that version's total and gates
   too, computed on the fly by the rubric's compile-to-SQL machinery over the same customers.
2. Bands are sums of those groups: deciles of the rank, the grades (of the total) and the fit (the
   qualified customers).
3. The AUC of won against lost deals comes from the won and lost counts per rank (stats.auc), and
   two versions are compared with DeLong's paired test on the same customers (stats.auc_compare).
   The rank orders customers by fit: by total without gates; with gates, every customer passing the
   must-haves and disqualifiers above every one that does not (scoring.Rubric.rank).
"""

import math
from dataclasses import dataclass
from functools import cached_property

from outcomes.selectors import outcomes_by
from outcomes.stats import Auc, AucComparison, Estimate, Outcomes, auc, auc_compare, ratio, roc_points
from rubrics import scoring
from rubrics.grading import NO_GRADE, RubricScale
from rubrics.models import Rubric, RubricVersion, VersionStatus
from rubrics.selectors import version_spec

from .segments import grade_label
from .selectors import (
    ScoreGroup,
    by_rank,
    by_total,
    computed_keys,
    outcomes_by_score,
    score_group,
    scored_customers,
    stored_keys,
)

DECILES = 10


@dataclass(frozen=True)
class Band:
    """Customers whose score falls in [min_score, max_score], against every scored customer (``base``)."""

    label: str
    min_score: int
    max_score: int
    outcomes: Outcomes
    base: Outcomes

    @property
    def share(self) -> float | None:
        return ratio(self.outcomes.customers, self.base.customers)

    @property
    def conversion(self) -> Estimate:
        return self.outcomes.conversion

    @property
    def conversion_lift(self) -> float | None:
        return ratio(self.outcomes.conversion.value, self.base.conversion.value)

    @property
    def clv(self) -> Estimate:
        return self.outcomes.average_clv

    @property
    def clv_lift(self) -> float | None:
        return ratio(self.outcomes.average_clv.value, self.base.average_clv.value)

    @property
    def churn(self) -> Estimate:
        return self.outcomes.churn_rate

    @property
    def churn_lift(self) -> float | None:
        return ratio(self.outcomes.churn_rate.value, self.base.churn_rate.value)

    @property
    def scores(self) -> str:
        return str(self.min_score) if self.min_score == self.max_score else f"{self.min_score} to {self.max_score}"


def decile_bands(by_score: dict[int, Outcomes], total_of: dict[int, int] | None = None) -> list[Band]:
    """Bands of about a tenth of the customers each, highest scores first, never splitting one score.

    A score goes to the decile of its customers' middle rank (from the lowest score up): with
    ties a decile may hold more or fewer than a tenth, and a decile a popular score swallowed is left out.
    ``by_score`` may be keyed by rank (scoring.Rubric.rank): ``total_of`` then gives each rank's total,
    which the bands show.
    """
    total_of = total_of or {}
    base = Outcomes.total(by_score.values())
    if not base.customers:
        return []
    deciles: dict[int, list[int]] = {}
    below = 0
    for score in sorted(by_score):
        count = by_score[score].customers
        decile = min(DECILES - 1, math.floor(DECILES * (below + count / 2) / base.customers))
        deciles.setdefault(decile, []).append(score)
        below += count
    return [
        Band(
            label=f"Decile {decile + 1}",
            min_score=min(total_of.get(score, score) for score in scores),
            max_score=max(total_of.get(score, score) for score in scores),
            outcomes=Outcomes.total(by_score[score] for score in scores),
            base=base,
        )
        for decile, scores in sorted(deciles.items(), reverse=True)
    ]


def grade_bands(by_score: dict[int, Outcomes], scale: RubricScale) -> list[Band]:
    """One band per grade that has customers, best first; "No grade" for the scores below every grade."""
    base = Outcomes.total(by_score.values())
    scores_of: dict[str, list[int]] = {}
    for score in sorted(by_score):
        scores_of.setdefault(scale.grade_of(score), []).append(score)
    labels = [grade.label for grade in scale.grades] + [NO_GRADE]
    return [
        Band(
            label=grade_label(label),
            min_score=min(scores_of[label]),
            max_score=max(scores_of[label]),
            outcomes=Outcomes.total(by_score[score] for score in scores_of[label]),
            base=base,
        )
        for label in labels
        if label in scores_of
    ]


@dataclass
class VersionAccuracy:
    """How well one version's scores tell good customers from the others."""

    version: RubricVersion | None
    label: str
    spec: scoring.Rubric
    groups: dict[ScoreGroup, Outcomes]

    @cached_property
    def by_rank(self) -> dict[int, Outcomes]:
        """Outcomes per rank: what orders customers by fit (the total, the gates first when there are any)."""
        return by_rank(self.groups)

    @cached_property
    def base(self) -> Outcomes:
        return Outcomes.total(self.groups.values())

    @cached_property
    def auc(self) -> Auc:
        return auc({rank: (outcomes.won, outcomes.lost) for rank, outcomes in self.by_rank.items()})

    @cached_property
    def roc(self) -> list[tuple[float, float]]:
        return roc_points({rank: (outcomes.won, outcomes.lost) for rank, outcomes in self.by_rank.items()})

    @cached_property
    def deciles(self) -> list[Band]:
        return decile_bands(self.by_rank, {group.rank: group.total for group in self.groups})

    @cached_property
    def grades(self) -> list[Band]:
        return grade_bands(by_total(self.groups), RubricScale.of(self.spec))

    @cached_property
    def fit(self) -> Band | None:
        """The band of qualified customers (at or above the threshold, through the gates)."""
        fitting = [group for group in self.groups if group.qualified]
        if not fitting:
            return None
        outcomes = Outcomes.total(self.groups[group] for group in fitting)
        totals = [group.total for group in fitting]
        return Band("Fit", min(totals), max(totals), outcomes, self.base)


@dataclass
class Accuracy:
    rubric: Rubric
    published: VersionAccuracy
    other: VersionAccuracy | None = None
    comparison: AucComparison | None = None

    @property
    def measured(self) -> list[VersionAccuracy]:
        return [self.published] + ([self.other] if self.other else [])

    @property
    def better(self) -> VersionAccuracy | None:
        """The version that separates won from lost significantly better, if one does."""
        if self.comparison is None or self.comparison.better is None:
            return None
        return self.published if self.comparison.better == "first" else self.other


def version_label(version: RubricVersion) -> str:
    return f"v{version.number} ({version.get_status_display().lower()})"


def previous_version(version: RubricVersion) -> RubricVersion | None:
    """The retired version published before ``version``, the natural one to compare it with."""
    return (
        version.rubric.versions.filter(status=VersionStatus.RETIRED, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def accuracy_measure(
    *,
    rubric: Rubric,
    version: RubricVersion,
    against: RubricVersion | None = None,
    against_spec: scoring.Rubric | None = None,
    against_label: str = "",
) -> Accuracy:
    """The published ``version``'s accuracy, compared with ``against`` (or an unsaved ``against_spec``).

    Only the published version has stored scores: the other version's totals are computed in the
    same query over the same customers, so both are measured on exactly the same won and lost deals.
    """
    spec = version_spec(version)
    if against is not None:
        against_spec, against_label = version_spec(against), version_label(against)
    if against_spec is None:
        return Accuracy(rubric, VersionAccuracy(version, version_label(version), spec, outcomes_by_score(version)))
    keys = {**stored_keys(spec), **computed_keys(against_spec, prefix="other_")}
    published_scores: dict[ScoreGroup, Outcomes] = {}
    other_scores: dict[ScoreGroup, Outcomes] = {}
    ranks: dict[tuple[int, int], tuple[int, int]] = {}
    for key, outcomes in outcomes_by(scored_customers(version), **keys).items():
        values = dict(zip(keys, key, strict=True))
        published, other = score_group(spec, values), score_group(against_spec, values, prefix="other_")
        published_scores[published] = published_scores.get(published, Outcomes()) + outcomes
        other_scores[other] = other_scores.get(other, Outcomes()) + outcomes
        won, lost = ranks.get((published.rank, other.rank), (0, 0))
        ranks[published.rank, other.rank] = (won + outcomes.won, lost + outcomes.lost)
    comparison = auc_compare(ranks)
    return Accuracy(
        rubric,
        VersionAccuracy(version, version_label(version), spec, published_scores),
        VersionAccuracy(against, against_label or "another version", against_spec, other_scores),
        comparison,
    )
