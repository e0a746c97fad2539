"""Outcomes grouped in the database: what any group of customers became, in one aggregate query.

The customers are grouped by a small key (a score, whether a criterion matched, ...) and the database
returns per group the counts, sums and sums of squares that ``stats.Outcomes`` is made of; no customer
row leaves the database. (Sums rather than the databases' own standard deviation: SQLite's fails on a
group of one, and the same arithmetic on both databases gives both the same figures.)

Each average is taken only among the customers for whom it means something (populations.py): CLV and
tenure among customers (current and churned), the sales cycle among won deals.
"""

from django.db.models import Count, Expression, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast

from customers.models import Customer, LifecycleStage
from ops.planner import wide_aggregate_planning

from .populations import CLIENTS, DETRACTOR_UP_TO, LOST, PROMOTER_FROM, WON
from .stats import Moments, Outcomes

# Averaged fields: name in Outcomes -> (customer field, the customers it is averaged among, or None for all
# who have a value).
AVERAGED = {
    "sentiment": ("sentiment", None),
    "clv": ("clv", CLIENTS),
    "sales_cycle": ("sales_cycle_days", WON),
    "tenure": ("tenure_months", CLIENTS),
}


def outcome_aggregates() -> dict[str, Expression]:
    """The aggregates an ``Outcomes`` is made of, for a grouped or plain aggregate query over customers."""
    aggregates = {
        "customers": Count("pk"),
        "won": Count("pk", filter=WON),
        "lost": Count("pk", filter=LOST),
        "clients": Count("pk", filter=CLIENTS),
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


def outcomes_of(row: dict) -> Outcomes:
    """An ``Outcomes`` from a row of ``outcome_aggregates``."""
    counts = {name: row[name] or 0 for name in Outcomes.__dataclass_fields__ if name not in AVERAGED}
    moments = {name: Moments.of_sums(row[f"{name}_n"], row[f"{name}_sum"], row[f"{name}_squares"]) for name in AVERAGED}
    return Outcomes(**counts, **moments)


def outcomes_by(customers: QuerySet[Customer], **keys: Expression) -> dict[tuple, Outcomes]:
    """The customers' outcomes grouped by the given expressions, in one aggregate query (with no expression,
    the whole queryset as one group, keyed ``()``)."""
    if not keys:
        with wide_aggregate_planning():
            return {(): outcomes_of(customers.order_by().aggregate(**outcome_aggregates()))}
    names = list(keys)
    rows = customers.order_by().annotate(**keys).values(*names).annotate(**outcome_aggregates())
    with wide_aggregate_planning():
        return {tuple(row[name] for name in names): outcomes_of(row) for row in rows}
