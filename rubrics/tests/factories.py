"""Rubrics for tests: a small one-criterion rubric, its next drafts, and its scores."""

import itertools

from profiles.models import Profile
from rubrics.models import Criterion, Rubric, RubricVersion, Score

_profiles = itertools.count(1)


def rubric_with_draft(*, industries=("Software",), threshold: int = 3) -> RubricVersion:
    """A rubric whose first version is a draft giving 3 points to customers in ``industries``."""
    profile = Profile.objects.create(name=f"Profile {next(_profiles)}")
    rubric = Rubric.objects.create(profile=profile, name="Fit")
    return next_draft(rubric, industries=industries, threshold=threshold)


def next_draft(rubric: Rubric, *, industries=("Software",), threshold: int = 3) -> RubricVersion:
    number = (rubric.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = RubricVersion.objects.create(rubric=rubric, number=number, threshold=threshold)
    Criterion.objects.create(version=version, field="industry", operator="in", values=list(industries), points=3)
    return version


def scores_by_customer(rubric: Rubric) -> dict[int, tuple[int, int, bool]]:
    return {
        customer_id: (version_id, total, qualified)
        for customer_id, version_id, total, qualified in Score.objects.filter(rubric=rubric).values_list(
            "customer_id", "version_id", "total", "qualified"
        )
    }
