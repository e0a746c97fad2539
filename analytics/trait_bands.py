"""Bands of a number found from the data: “employees between 200 and 2,000”, not the fixed buckets' edges.

1. One grouped query per field cuts the customers with a value into up to ``BINS`` bins of about equal counts
   (quantiles) whose edges fall between values: a customer's bin is (its rank − 1) · BINS / n, and customers
   with the same value share the rank of the first of them (RANK(), a window function PostgreSQL and SQLite
   both have), so a value is never split between bins. The database returns per bin its lowest and highest
   values, its customers and the best among them; no customer row leaves it.
2. The run of adjacent bins the best are most over-represented in, among those holding enough customers,
   and its p-value corrected for every run it was chosen among (outcomes.selection.best_band).
3. The band is given by the lowest and highest values its customers have, and its counts are exactly the
   customers between those two values (the bins hold whole values, in order).
"""

from dataclasses import dataclass

from django.db import connections
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import Rank

from customers.models import Customer
from outcomes.selection import best_band, support_minimum

from .trait_types import Attribute, Band, Trait

BINS = 64


@dataclass(frozen=True)
class Bin:
    low: int
    high: int
    everyone: int
    best: int


def number_bins(customers: QuerySet[Customer], field: str, best: Q, *, with_value: int) -> list[Bin]:
    """The customers with a value of ``field`` in value-aligned quantile bins (see the module), lowest first;
    ``with_value`` is how many they are (it sets the bins' size, so it must be exact)."""
    ranked = (
        customers.filter(**{f"{field}__isnull": False})
        .order_by()
        .annotate(
            band_value=F(field),
            band_bin=(Window(Rank(), order_by=F(field).asc()) - 1) * BINS / Value(with_value),
            band_best=Case(When(best, then=Value(1)), default=Value(0), output_field=IntegerField()),
        )
        .values("band_value", "band_bin", "band_best")
    )
    sql, params = ranked.query.sql_with_params()
    grouped = (
        "SELECT MIN(band_value), MAX(band_value), COUNT(*), SUM(band_best) "
        f"FROM ({sql}) AS ranked GROUP BY band_bin ORDER BY band_bin"
    )
    with connections[ranked.db].cursor() as cursor:
        cursor.execute(grouped, params)
        return [Bin(low, high, everyone, best) for low, high, everyone, best in cursor.fetchall()]


def number_band(
    customers: QuerySet[Customer],
    attribute: Attribute,
    best: Q,
    *,
    with_value: int,
    best_total: int,
    everyone_total: int,
) -> Trait | None:
    """The band of ``attribute`` the best share most, or None when there is none (see the module)."""
    if with_value < 2:
        return None
    bins = number_bins(customers, attribute.field, best, with_value=with_value)
    found = best_band(
        [piece.best for piece in bins],
        [piece.everyone for piece in bins],
        best_total,
        everyone_total,
        support=support_minimum(everyone_total),
    )
    if found is None:
        return None
    first, last = found.members[0], found.members[-1]
    band = Band(bins[first].low, bins[last].high, from_lowest=first == 0, to_highest=last == len(bins) - 1)
    return Trait(
        attribute,
        band,
        str(band),
        found.best,
        found.everyone,
        best_total,
        everyone_total,
        p_value=found.p_value,
        kind="band",
        raw_p_value=found.raw_p_value,
        candidates=found.candidates,
    )
