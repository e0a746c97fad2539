"""The demo rubric: the classic lead-scoring example, published, on the profile "Core ICP".

The classic "industry or title match +3" is two criteria here (a criterion
reads one field), and "comments +2" reads the public-review flag, the nearest
thing the demo base records.
"""

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from customers.models import Customer
from profiles.models import Profile
from teams.models import User

from .models import Criterion, Rubric, RubricVersion, VersionStatus
from .selectors import version_spec
from .services.scores import score_statistics_refresh, scores_write

PROFILE, RUBRIC = "Core ICP", "Lead score"
TARGET_INDUSTRIES = ["Software", "Financial Services", "Professional Services", "Healthcare"]
BUYER_TITLES = ["Marketing", "Revenue", "Sales Operations"]
CHUNK = 50_000

# (group, label, field, operator, values, points, bands)
CLASSIC = [
    ("fit", "Industry match", "industry", "in", TARGET_INDUSTRIES, 3, []),
    ("fit", "Title match", "contact_titles", "contains_any", BUYER_TITLES, 3, []),
    ("fit", "Revenue fit", "annual_revenue", "between", [5_000_000, 2_000_000_000], 2, []),
    ("fit", "In the service area", "region", "in", ["North America", "EMEA"], 1, []),
    ("fit", "Can afford it", "employees", "gte", [50], 2, []),
    ("qualitative", "Referrals", "referrals_made", "gte", [1], 2, []),
    (
        "engagement",
        "Website visits",
        "website_visits_30d",
        "bands",
        [],
        0,
        [
            {"label": "high (10+)", "min": 10, "max": None, "points": 3},
            {"label": "low (1–9)", "min": 1, "max": 9, "points": 1},
        ],
    ),
    ("engagement", "Email opens", "email_opens_30d", "gte", [1], 1, []),
    ("engagement", "Email clicks", "email_clicks_30d", "gte", [1], 3, []),
    ("engagement", "Social likes and shares", "social_engagements_30d", "gte", [1], 2, []),
    ("qualitative", "Comments (public review)", "has_public_review", "true", [], 2, []),
]
GRADES = [{"label": "A", "min": 16}, {"label": "B", "min": 12}, {"label": "C", "min": 8}, {"label": "D", "min": 0}]


@transaction.atomic
def demo_rubric_ensure(*, user: User | None = None) -> RubricVersion:
    """The published demo version, created once (with its profile and rubric)."""
    profile, _ = Profile.objects.get_or_create(
        name=PROFILE, defaults={"description": "Mid-size companies in our target industries that engage with us."}
    )
    rubric, _ = Rubric.objects.get_or_create(profile=profile, name=RUBRIC)
    published = rubric.versions.filter(status=VersionStatus.PUBLISHED).first()
    if published:
        return published
    version = RubricVersion.objects.create(
        rubric=rubric,
        number=(rubric.versions.aggregate(number=Max("number"))["number"] or 0) + 1,
        status=VersionStatus.PUBLISHED,
        threshold=12,
        grades=GRADES,
        note="The classic example: fit, engagement and what customers say.",
        created_by=user,
        published_by=user,
        published_at=timezone.now(),
    )
    Criterion.objects.bulk_create(
        Criterion(
            version=version,
            position=position,
            group=group,
            label=label,
            field=field,
            operator=operator,
            values=values,
            points=points,
            bands=bands,
        )
        for position, (group, label, field, operator, values, points, bands) in enumerate(CLASSIC)
    )
    return version


def demo_scores_write(*, version: RubricVersion) -> int:
    """Score the whole base with the version, chunk by chunk, in this process."""
    spec = version_spec(version)
    bounds = Customer.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return 0
    written = 0
    for low in range(bounds["low"], bounds["high"] + 1, CHUNK):
        written += scores_write(version=version, spec=spec, low_id=low, high_id=low + CHUNK - 1)
    score_statistics_refresh()
    return written
