"""Grading: how a published version turns totals into grades and engagement subtotals into levels.

Pure but for ``rubric_scale``, which reads a rubric's published version (and keeps its scale: a published
version never changes). Used by the lead list, its exports and API, and the analytics.
"""

import datetime
import functools
from dataclasses import dataclass

from . import scoring
from .models import Rubric, RubricVersion, VersionStatus
from .selectors import version_spec

LOW, MEDIUM, HIGH = "low", "medium", "high"
ENGAGEMENT_LEVELS = ((LOW, "Low"), (MEDIUM, "Medium"), (HIGH, "High"))
NO_GRADE = "-"  # qualified, but below every grade's minimum


@dataclass(frozen=True)
class RubricScale:
    """How a published version turns totals into grades and engagement subtotals into levels."""

    grades: tuple[scoring.Grade, ...]  # highest minimum first
    threshold: int
    engagement_top: int  # the most engagement points a customer can get

    @classmethod
    def of(cls, spec: scoring.Rubric) -> "RubricScale":
        top = spec.capped("engagement", sum(max(c.point_options) for c in spec.criteria if c.group == "engagement"))
        return cls(
            grades=tuple(sorted(spec.grades, key=lambda grade: -grade.min)),
            threshold=spec.threshold,
            engagement_top=top,
        )

    def grade_range(self, label: str) -> tuple[int | None, int | None] | None:
        """The totals (low, high; None for open) a grade covers among qualified leads; None if unknown."""
        if label == NO_GRADE:
            lowest = self.grades[-1].min if self.grades else None
            return (None, lowest - 1 if lowest is not None else None)
        for position, grade in enumerate(self.grades):
            if grade.label == label:
                above = self.grades[position - 1].min - 1 if position else None
                return (grade.min, above)
        return None

    def engagement_range(self, level: str) -> tuple[int | None, int | None] | None:
        """Engagement subtotals of a level: low below a third of the top, high from two thirds."""
        lower, upper = self.engagement_cuts
        return {LOW: (None, lower - 1), MEDIUM: (lower, upper - 1), HIGH: (upper, None)}.get(level)

    @property
    def engagement_cuts(self) -> tuple[int, int]:
        top = max(self.engagement_top, 1)
        return max(1, -(-top // 3)), max(2, -(-2 * top // 3))

    def grade_of(self, total: int) -> str:
        for grade in self.grades:
            if total >= grade.min:
                return grade.label
        return NO_GRADE

    def engagement_level(self, engagement: int) -> str:
        lower, upper = self.engagement_cuts
        return HIGH if engagement >= upper else MEDIUM if engagement >= lower else LOW

    def grade_labels(self) -> list[str]:
        """Every grade a qualified lead can have, best first ("-" when some qualify below every grade)."""
        labels = []
        for position, grade in enumerate(self.grades):
            top = self.grades[position - 1].min - 1 if position else None
            if top is None or top >= self.threshold:
                labels.append(grade.label)
        if not self.grades or self.grades[-1].min > self.threshold:
            labels.append(NO_GRADE)
        return labels


def rubric_scale(rubric: Rubric) -> RubricScale | None:
    """The scale of the rubric's published version, or None if none is published.

    A rubric read through ``selectors.with_published_version`` knows its version already: no query."""
    if hasattr(rubric, "published_version_pk"):
        version_id, updated_at = rubric.published_version_pk, rubric.published_version_updated_at
    else:
        published = rubric.versions.filter(status=VersionStatus.PUBLISHED).values_list("pk", "updated_at")
        version_id, updated_at = published.first() or (None, None)
    return _version_scale(version_id, updated_at) if version_id is not None else None


@functools.lru_cache(maxsize=256)
def _version_scale(version_id: int, updated_at: datetime.datetime) -> RubricScale:
    # A published version never changes (rubrics.models.RubricVersion), so its scale is kept; the
    # time it was last saved is in the key all the same, in case a database hands out an id again.
    return RubricScale.of(version_spec(RubricVersion.objects.get(pk=version_id)))
