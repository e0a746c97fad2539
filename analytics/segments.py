"""Segments compared: the customers who fit the ICP against those who do not, and grade by grade.

One aggregate query groups the published version's customers by their stored
score; fit (the stored qualified flag: the total reaches the threshold, every
must-have matched and no disqualifier) and each grade are sums of those groups
(a grade is a range of totals), pooled exactly.
"""

from dataclasses import dataclass

from outcomes.stats import Estimate, Outcomes
from rubrics.grading import NO_GRADE, RubricScale
from rubrics.models import Rubric, RubricVersion
from rubrics.selectors import version_spec

from .selectors import by_total, outcomes_by_score

# (key, label, Outcomes property, unit): the figures compared, in the order pages and the API show them.
METRICS = (
    ("nps", "NPS", "nps", "points"),
    ("sentiment", "Average sentiment", "average_sentiment", "points"),
    ("churn_rate", "Churn rate", "churn_rate", "share"),
    ("clv", "Average CLV", "average_clv", "currency"),
    ("conversion", "Conversion", "conversion", "share"),
    ("sales_cycle", "Average sales cycle (days)", "average_sales_cycle", "days"),
    ("tenure", "Average tenure (months)", "average_tenure", "months"),
)
# Who each figure counts (outcomes.populations): a prospect's CLV or tenure is not a 0 to average in.
POPULATIONS = {
    "nps": "customers who answered a survey",
    "sentiment": "customers with a sentiment",
    "churn_rate": "customers, current and churned",
    "clv": "customers, current and churned, with a CLV",
    "conversion": "decided deals, won or lost",
    "sales_cycle": "won deals",
    "tenure": "customers, current and churned, with a tenure",
}


@dataclass(frozen=True)
class Segment:
    key: str  # "all", "fit", "not_fit" or "grade:<label>"
    label: str
    outcomes: Outcomes

    @property
    def figures(self) -> list[tuple[str, str, Estimate, str]]:
        """(key, label, estimate, unit) of every metric."""
        return [(key, label, getattr(self.outcomes, attribute), unit) for key, label, attribute, unit in METRICS]


@dataclass(frozen=True)
class Segments:
    rubric: Rubric
    version: RubricVersion
    threshold: int
    segments: list[Segment]

    @property
    def everyone(self) -> Segment:
        return self.segments[0]


def grade_label(label: str) -> str:
    return "No grade" if label == NO_GRADE else f"Grade {label}"


def segments_compare(*, rubric: Rubric, version: RubricVersion) -> Segments:
    """All scored customers, fit against not fit, then each grade (best first) that has customers."""
    groups = outcomes_by_score(version)
    spec = version_spec(version)
    scale = RubricScale.of(spec)
    fit = Outcomes.total(outcomes for group, outcomes in groups.items() if group.qualified)
    not_fit = Outcomes.total(outcomes for group, outcomes in groups.items() if not group.qualified)
    if spec.has_gates:
        fit_label = f"Fit (score {scale.threshold} or more, every must-have, no disqualifier)"
        not_fit_label = f"Not fit (below {scale.threshold}, or stopped by a must-have or a disqualifier)"
    else:
        fit_label, not_fit_label = f"Fit (score {scale.threshold} or more)", f"Not fit (below {scale.threshold})"
    segments = [
        Segment("all", "All scored customers", fit + not_fit),
        Segment("fit", fit_label, fit),
        Segment("not_fit", not_fit_label, not_fit),
    ]
    by_grade: dict[str, Outcomes] = {}
    for score, outcomes in by_total(groups).items():
        label = scale.grade_of(score)
        by_grade[label] = by_grade.get(label, Outcomes()) + outcomes
    for label in [grade.label for grade in scale.grades] + [NO_GRADE]:
        if label in by_grade:
            segments.append(Segment(f"grade:{label}", grade_label(label), by_grade[label]))
    return Segments(rubric=rubric, version=version, threshold=scale.threshold, segments=segments)
