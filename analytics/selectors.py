"""Reads shared by the analytics pages: which rubrics can be analysed, and outcomes by score.

Every figure comes from one aggregate query per page (or per version compared), grouped in the
database by outcomes.selectors.outcomes_by.
"""

from django.db.models import Expression, F, QuerySet

from customers.models import Customer
from leads.selectors import lead_rubrics
from outcomes.selectors import outcomes_by
from outcomes.stats import Outcomes
from rubrics import scoring
from rubrics.compile import score_annotations
from rubrics.models import Rubric, RubricVersion, VersionStatus
from teams.models import User
from workshops.access import can_act
from workshops.models import StepKind, StepStatus, Workshop, WorkshopStatus


def analysed_rubrics() -> QuerySet[Rubric]:
    """The rubrics that can be analysed: those with a published version (and so with scores)."""
    return lead_rubrics()


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


def scored_customers(version: RubricVersion) -> QuerySet[Customer]:
    """The customers the published ``version`` scored (their stored total is ``STORED_TOTAL``)."""
    return Customer.objects.filter(scores__rubric_id=version.rubric_id, scores__version=version)


def computed_total(spec: scoring.Rubric) -> Expression:
    """A version's total for each customer, computed in the database (the rubric compiled to SQL)."""
    return score_annotations(spec)["total"]


def outcomes_by_score(version: RubricVersion) -> dict[int, Outcomes]:
    """The published version's customers grouped by their stored total."""
    return {key[0]: outcomes for key, outcomes in outcomes_by(scored_customers(version), total=STORED_TOTAL).items()}


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
