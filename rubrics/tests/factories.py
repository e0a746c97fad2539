"""Rubrics for tests: a small one-criterion rubric, its next drafts, and its scores; a rich version to dump and a
small document to load."""

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


# (label, group, field, operator, values, bands, points, gate)
RICH_CRITERIA = [
    ("Industry match", "fit", "industry", "in", ["Software", "Healthcare"], [], 3, "must"),
    ("Competitor", "fit", "extra.competitor", "true", [], [], 0, "never"),
    ("Not a sanctioned country", "fit", "country", "not_in", ["Atlantis"], [], 1, ""),
    ("Buyer titles", "fit", "contact_titles", "contains_any", ["Revenue", "Marketing"], [], 2, ""),
    ("Seats", "fit", "extra.seats", "between", [10.5, 1000], [], 2, ""),
    (
        "Website visits",
        "engagement",
        "website_visits_30d",
        "bands",
        [],
        [
            {"label": "high (10+)", "min": 10, "max": None, "points": 3},
            {"label": "low (1–9)", "min": 1, "max": 9, "points": 1},
        ],
        0,
        "",
    ),
    ("Email clicks", "engagement", "email_clicks_30d", "gte", [1], [], 3, ""),
    ("No case study yet", "qualitative", "has_case_study", "false", [], [], -1, ""),
    ("No domain", "qualitative", "domain", "empty", [], [], -2, ""),
]


def rich_version(*, status: str = "published", profile: str | None = None, rubric: str = "Lead score"):
    """A version using every operator, a must-have, a disqualifier, a cap on engagement and grades."""
    profile = Profile.objects.create(name=profile or f"Profile {next(_profiles)}")
    rubric = Rubric.objects.create(profile=profile, name=rubric)
    version = RubricVersion.objects.create(
        rubric=rubric,
        number=1,
        status=status,
        threshold=5,
        caps={"engagement": 4},
        grades=[{"label": "A", "min": 8}, {"label": "B", "min": 5}],
        note="Fit first; engagement counts 4 at most. «Ünïcode» kept.",
    )
    Criterion.objects.bulk_create(
        Criterion(
            version=version,
            position=position,
            label=label,
            group=group,
            field=field,
            operator=operator,
            values=values,
            bands=bands,
            points=points,
            gate=gate,
        )  # fmt: skip
        for position, (label, group, field, operator, values, bands, points, gate) in enumerate(RICH_CRITERIA)
    )
    return version


def industry_document(**changes) -> dict:
    """A small valid document: Software +3, threshold 3."""
    document = {
        "format": "icp-rubric/1",
        "profile": "Core ICP",
        "rubric": "Lead score",
        "threshold": 3,
        "criteria": [{"label": "Industry", "field": "industry", "operator": "in", "values": ["Software"], "points": 3}],
    }
    return {**document, **changes}
