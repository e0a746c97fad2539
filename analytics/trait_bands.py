"""Bands of a number found from the data: “employees between 200 and 2,000”, not the fixed buckets' edges.

1. One query per number field counts its customers, and the best among them, both per fixed bucket (the
   page's values) and in up to ``BINS`` bins of about equal counts (quantiles) whose edges fall between
   values. The customers are counted per value first; a running sum over the values in order (a window
   function PostgreSQL and SQLite both have) gives each value the customers below it, and a value's bin is
   that count · BINS / n (integer division), so a value is never split between bins. The database returns
   per (bin, bucket) the lowest and highest values, the customers and the best; no customer row leaves it.
   (Counting per value first keeps the window small: a RANK() over every customer spilled its large groups
   of equal values to disk, 2 s for a field of a few dozen values among 400,000 customers, against 0.2 s.)
2. The run of adjacent bins the best are most over-represented in, among those holding enough customers,
   and its p-value corrected for every run it was chosen among (outcomes.selection.best_band).
3. The band is given by the lowest and highest values its customers have, and its counts are exactly the
   customers between those two values (the bins hold whole values, in order).
"""

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Count, Expression, F, Q, QuerySet

from customers.models import Customer
from outcomes.selection import best_band, support_minimum

from .trait_types import Attribute, Band, Trait

BINS = 64


@dataclass
class Bin:
    low: int
    high: int
    everyone: int
    best: int


@dataclass
class NumberCounts:
    """A number field's customers and best, per fixed bucket (-1: no data) and per quantile bin (lowest first)."""

    buckets: dict[int, list[int]] = field(default_factory=dict)  # bucket -> [everyone, best]
    bins: list[Bin] = field(default_factory=list)


def number_counts(customers: QuerySet[Customer], name: str, best: Q, bucket: Expression) -> NumberCounts:
    """The customers of the field ``name`` per ``bucket`` (an expression of the value, -1 for none) and per
    value-aligned quantile bin, in one query (see the module)."""
    per_value = (
        customers.order_by()
        .values(band_value=F(name), band_bucket=bucket)
        .annotate(everyone=Count("pk"), best=Count("pk", filter=best))
    )
    sql, params = per_value.query.sql_with_params()
    # Customers with no value count nowhere in the bins (wherever the database sorts them: first or last).
    with_value = "CASE WHEN band_value IS NULL THEN 0 ELSE everyone END"
    below = f"CAST(SUM({with_value}) OVER (ORDER BY band_value) - {with_value} AS BIGINT)"
    counted = f"CAST(SUM({with_value}) OVER () AS BIGINT)"
    grouped = (
        "SELECT band_bin, band_bucket, MIN(band_value), MAX(band_value), SUM(everyone), SUM(best) FROM ("
        f"SELECT band_value, band_bucket, everyone, best, CASE WHEN band_value IS NULL THEN -1 "
        f"ELSE {below} * {BINS} / {counted} END AS band_bin FROM ({sql}) AS per_value"
        ") AS ranked GROUP BY band_bin, band_bucket ORDER BY band_bin, band_bucket"
    )
    counts, bins = NumberCounts(), {}
    with connections[per_value.db].cursor() as cursor:
        cursor.execute(grouped, params)
        for piece, bucket_index, low, high, everyone, best_count in cursor.fetchall():
            everyone, best_count = int(everyone), int(best_count)
            totals = counts.buckets.setdefault(bucket_index, [0, 0])
            totals[0] += everyone
            totals[1] += best_count
            if piece < 0:
                continue
            if piece not in bins:
                bins[piece] = Bin(low, high, 0, 0)
            bins[piece].low, bins[piece].high = min(bins[piece].low, low), max(bins[piece].high, high)
            bins[piece].everyone += everyone
            bins[piece].best += best_count
    counts.bins = [bins[piece] for piece in sorted(bins)]
    return counts


def number_band(attribute: Attribute, bins: list[Bin], *, best_total: int, everyone_total: int) -> Trait | None:
    """The band of ``attribute`` the best share most, from its bins, or None when there is none (see the module)."""
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
