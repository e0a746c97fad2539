"""Reads shared by the analytics pages: which rubrics can be analysed, and outcomes grouped in the database.

Every figure comes from one aggregate query per page (or per version compared):
the customers are grouped by a small key, a score for instance, and the
database returns per group the counts, sums and sums of squares that
``stats.Outcomes`` is made of. No customer row leaves the database. (Sums
rather than the databases' own standard deviation: SQLite's fails on a group of
one, and the same arithmetic on both databases gives both the same figures.)
"""

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import Count, Expression, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast

from customers.models import Customer, DealOutcome, LifecycleStage
from leads.selectors import lead_rubrics
from rubrics import scoring
from rubrics.compile import score_annotations
from rubrics.models import Rubric, RubricVersion, VersionStatus
from teams.models import User
from workshops.access import can_act
from workshops.models import StepKind, StepStatus, Workshop, WorkshopStatus

from .stats import Moments, Outcomes

CLIENT_STAGES = (LifecycleStage.CUSTOMER, LifecycleStage.CHURNED)
PROMOTER_FROM, DETRACTOR_UP_TO = 9, 6
WON = Q(deal_outcome=DealOutcome.WON)

# Averaged fields: name in Outcomes -> (customer field, condition on the customers averaged, or None).
AVERAGED = {
    "sentiment": ("sentiment", None),
    "clv": ("clv", None),
    "sales_cycle": ("sales_cycle_days", WON),
    "tenure": ("tenure_months", None),
}


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


def _aggregates() -> dict[str, Expression]:
    aggregates = {
        "customers": Count("pk"),
        "won": Count("pk", filter=WON),
        "lost": Count("pk", filter=Q(deal_outcome=DealOutcome.LOST)),
        "clients": Count("pk", filter=Q(lifecycle_stage__in=CLIENT_STAGES)),
        "churned": Count("pk", filter=Q(lifecycle_stage=LifecycleStage.CHURNED)),
        "nps_respondents": Count("nps"),
        "promoters": Count("pk", filter=Q(nps__gte=PROMOTER_FROM)),
        "detractors": Count("pk", filter=Q(nps__lte=DETRACTOR_UP_TO)),
    }
    for name, (column, condition) in AVERAGED.items():
        value = Cast(column, FloatField())
        aggregates[f"{name}_n"] = Count(column, filter=condition)
        aggregates[f"{name}_sum"] = Sum(value, filter=condition)
        aggregates[f"{name}_squares"] = Sum(value * value, filter=condition)
    return aggregates


def _outcomes(row: dict) -> Outcomes:
    counts = {name: row[name] for name in Outcomes.__dataclass_fields__ if name not in AVERAGED}
    moments = {name: Moments.of_sums(row[f"{name}_n"], row[f"{name}_sum"], row[f"{name}_squares"]) for name in AVERAGED}
    return Outcomes(**counts, **moments)


@contextlib.contextmanager
def grouping_settings() -> Iterator[None]:
    """A transaction in which PostgreSQL plans a wide aggregate the fast way (as the rubric preview does)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")  # compiling the wide expressions costs more than running them
                # Groups are a few dozen scores, but the planner cannot know it and would sort every row.
                cursor.execute("SET LOCAL enable_sort = off")
                cursor.execute("SET LOCAL parallel_tuple_cost = 0")
        yield


def outcomes_by(customers: QuerySet[Customer], **keys: Expression) -> dict[tuple, Outcomes]:
    """The customers' outcomes grouped by the given expressions, in one aggregate query."""
    names = list(keys)
    rows = customers.order_by().annotate(**keys).values(*names).annotate(**_aggregates())
    with grouping_settings():
        return {tuple(row[name] for name in names): _outcomes(row) for row in rows}


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
