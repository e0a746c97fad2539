"""Reads shared by the analytics pages: which rubrics can be analysed, and outcomes by score.

Every figure comes from one aggregate query per page (or per version compared), grouped in the
database by outcomes.selectors.outcomes_by: by a version's stored total, qualified flag and rank (what
orders customers by fit: whoever passes the must-haves and disqualifiers first, then by total;
scoring.Rubric.rank), or by the total and gates computed on the fly for a version without stored scores.
"""

from dataclasses import dataclass

from django.db.models import Expression, F, QuerySet

from customers.models import Customer
from outcomes.selectors import outcomes_by
from outcomes.stats import Outcomes
from rubrics import scoring
from rubrics.compile import score_annotations, stored_rank
from rubrics.models import Rubric, RubricVersion, VersionStatus
from rubrics.selectors import published_rubrics, version_spec
from teams.models import User
from workshops.access import can_act
from workshops.models import StepKind, StepStatus, Workshop, WorkshopStatus


def analysed_rubrics() -> QuerySet[Rubric]:
    """The rubrics that can be analysed: those with a published version (and so with scores)."""
    return published_rubrics()


class NotAnalysable(Exception):
    """No such rubric, or one without a published version (so without scores): the message says which."""


def analysed_rubric(rubric_id) -> tuple[Rubric, RubricVersion]:
    """The rubric and its published version; ``NotAnalysable`` with the reason otherwise."""
    rubric = None
    if isinstance(rubric_id, int) and 0 < rubric_id <= 2**63 - 1:
        rubric = Rubric.objects.select_related("profile").filter(pk=rubric_id).first()
    if rubric is None:
        raise NotAnalysable("There is no rubric with this id.")
    published = rubric.versions.filter(status=VersionStatus.PUBLISHED).first()
    if published is None:
        raise NotAnalysable(f"“{rubric.name}” has no published version yet, so no customer has a score by it.")
    return rubric, published


STORED_TOTAL = F("scores__total")  # a scored customer's total, stored by the published version
STORED_QUALIFIED = F("scores__qualified")


@dataclass(frozen=True)
class ScoreGroup:
    """Customers with the same score by a version: its total, whether it qualifies, and its rank."""

    total: int
    qualified: bool
    rank: int


def scored_customers(version: RubricVersion) -> QuerySet[Customer]:
    """The customers the published ``version`` scored (their stored total is ``STORED_TOTAL``)."""
    return Customer.objects.filter(scores__rubric_id=version.rubric_id, scores__version=version)


def stored_keys(spec: scoring.Rubric, prefix: str = "") -> dict[str, Expression]:
    """What groups customers by their stored score: total, qualified flag and (with gates) rank."""
    keys = {f"{prefix}total": STORED_TOTAL, f"{prefix}qualified": STORED_QUALIFIED}
    if spec.has_gates:  # without gates the rank is the total
        keys[f"{prefix}rank"] = stored_rank(spec, matched="scores__matched", total="scores__total")
    return keys


def computed_keys(spec: scoring.Rubric, prefix: str = "") -> dict[str, Expression]:
    """What groups customers by a version's score computed in the database (the rubric compiled to SQL): the
    total and (with gates) whether they pass them; the qualified flag and rank follow (``score_group``)."""
    annotations = score_annotations(spec)
    keys = {f"{prefix}total": annotations["total"]}
    if spec.has_gates:
        keys[f"{prefix}passes"] = annotations["passes_gates"]
    return keys


def score_group(spec: scoring.Rubric, values: dict, prefix: str = "") -> ScoreGroup:
    """The ScoreGroup of a group's values of ``stored_keys`` or ``computed_keys``."""
    total = values[f"{prefix}total"]
    if f"{prefix}qualified" in values:
        return ScoreGroup(total, bool(values[f"{prefix}qualified"]), values.get(f"{prefix}rank", total))
    passes = bool(values.get(f"{prefix}passes", True))
    return ScoreGroup(total, passes and total >= spec.threshold, spec.rank(total, passes))


def outcomes_by_score(version: RubricVersion) -> dict[ScoreGroup, Outcomes]:
    """The published version's customers grouped by their stored score."""
    spec = version_spec(version)
    keys = stored_keys(spec)
    grouped: dict[ScoreGroup, Outcomes] = {}
    for values, outcomes in outcomes_by(scored_customers(version), **keys).items():
        group = score_group(spec, dict(zip(keys, values, strict=True)))
        grouped[group] = grouped.get(group, Outcomes()) + outcomes
    return grouped


def by_total(groups: dict[ScoreGroup, Outcomes]) -> dict[int, Outcomes]:
    totals: dict[int, Outcomes] = {}
    for group, outcomes in groups.items():
        totals[group.total] = totals.get(group.total, Outcomes()) + outcomes
    return totals


def by_rank(groups: dict[ScoreGroup, Outcomes]) -> dict[int, Outcomes]:
    ranks: dict[int, Outcomes] = {}
    for group, outcomes in groups.items():
        ranks[group.rank] = ranks.get(group.rank, Outcomes()) + outcomes
    return ranks


def workshops_open_for(*, rubric: Rubric, user: User) -> list[Workshop]:
    """The workshops on the rubric's profile, not closed, whose scoring step is open and where ``user`` may propose."""
    candidates = (
        Workshop.objects.filter(profile_id=rubric.profile_id)
        .exclude(status=WorkshopStatus.CLOSED)
        .filter(steps__kind=StepKind.WEIGHTS, steps__status=StepStatus.OPEN)
        .distinct()
        .order_by("-created_at", "-id")
    )
    return [workshop for workshop in candidates if can_act(workshop, user)]
