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


def gated_rubric(*, threshold: int = 3) -> RubricVersion:
    """A published rubric with gates and a cap: industry Software is a must-have, a competitor (the extra
    attribute ``competitor`` yes) a disqualifier, email clicks and website visits give 3 points each but
    engagement counts 4 at most."""
    profile = Profile.objects.create(name=f"Profile {next(_profiles)}")
    rubric = Rubric.objects.create(profile=profile, name="Gated fit")
    version = RubricVersion.objects.create(
        rubric=rubric, number=1, threshold=threshold, status="published", caps={"engagement": 4}
    )
    for position, (label, field, operator, values, points, group, gate) in enumerate(
        [
            ("Industry", "industry", "in", ["Software"], 0, "fit", "must"),
            ("Competitor", "extra.competitor", "true", [], 0, "fit", "never"),
            ("Email clicks", "email_clicks_30d", "gte", [1], 3, "engagement", ""),
            ("Website visits", "website_visits_30d", "gte", [1], 3, "engagement", ""),
        ]
    ):
        Criterion.objects.create(
            version=version, position=position, label=label, field=field, operator=operator, values=values,
            points=points, group=group, gate=gate,
        )  # fmt: skip
    return version
