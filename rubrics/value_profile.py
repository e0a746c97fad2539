"""A profile of the customer base by field value: how many customers hold each value, and what their deals became.

The evidence for a criterion (evidence.py) adds up the values of the profile that the criterion matches,
each value decided by the scoring engine itself: exact, and a few milliseconds, where the same question
asked of a million customer rows takes a few hundred.

- A category, text or yes / no field has one entry per distinct value (a field with more than
  ``VALUE_LIMIT`` distinct values is left out, and so are the identifiers name and domain).
- A whole-number field has one entry per value from -99 to 99, then, at each size, one entry per round
  number of two significant digits and one for the numbers between it and the next: 100, 101..109, 110,
  ..., 2,000, 2,001..2,099, ..., 5,000,000, 5,000,001..5,099,999 (and the same below -99). A rule whose
  bounds are such round numbers, or one past them ("at least 50", "between 200 and 2,000", "at most
  1,999", "at least 2,500,001": most rules people write), holds or fails for a whole entry, so it is
  decided exactly from the profile; any other rule is asked of the database.
- Extra attributes are not profiled.

The profile is built by one statement (a GROUP BY per field, joined by UNION ALL) and kept in the cache
together with the generation of the base it was built from (``base_generation``).
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from customers.models import Customer, CustomerChange

from .fields import FIELDS

VALUE_LIMIT = 20_000
NOT_PROFILED = frozenset({"name", "domain"})
CACHE_SECONDS = 24 * 60 * 60  # a profile is replaced when the base changes; this only bounds what it holds
LARGEST_DECADE = 18  # bigint values reach 9.2e18
META_KEY = "rubrics:value-profile"
BUILDING_KEY = "rubrics:value-profile:building"


@dataclass(frozen=True)
class Tally:
    """Customers holding one value (or bucket), and their deals: the counts evidence adds up."""

    customers: int
    won: int
    lost: int
    won_churned: int
    clv_n: int
    clv_sum: float
    clv_squares: float


@dataclass(frozen=True)
class Entry:
    """One value of a field (None: no data) or, for a whole-number field, one bucket ``low..high``."""

    value: object
    tally: Tally
    low: int | None = None
    high: int | None = None


def base_generation() -> str:
    """What changes whenever a customer is added, changed or deleted (each change is recorded), read from
    three indexes."""
    customers = Customer.objects.aggregate(changed=Max("updated_at"), last=Max("pk"))
    last_change = CustomerChange.objects.aggregate(last=Max("pk"))["last"]
    return f"{customers['changed']}|{customers['last']}|{last_change}"


def bucket_bounds(anchor: int) -> tuple[int, int]:
    """The whole numbers of a bucket, from the value the database gives it (``_bucket_sql``): its lowest."""
    magnitude = abs(anchor)
    if magnitude < 100:
        return anchor, anchor
    width = 10 ** (len(str(magnitude)) - 2)
    if magnitude % width == 0:  # a round number, alone
        return anchor, anchor
    if anchor > 0:  # round + 1 .. next round - 1
        return anchor, anchor - 1 + width - 1
    return anchor, -(magnitude - width + 2)  # the same, mirrored: -(next round) + 1 .. -(round) - 1


def _bucket_sql(column: str) -> str:
    """The bucket of a whole number, as its lowest value (see the module and ``bucket_bounds``)."""
    value = f"CAST({column} AS BIGINT)"

    def sized(magnitude: str, bucket: str) -> str:
        return " ".join(
            f"WHEN {magnitude} < {10**decade} THEN {bucket.format(width=10 ** (decade - 2))}"
            for decade in range(3, LARGEST_DECADE + 1)
        )

    positive = sized(
        value, f"(CASE WHEN {value} % {{width}} = 0 THEN {value} ELSE {value} - {value} % {{width}} + 1 END)"
    )
    negative = sized(
        f"-{value}",
        f"(CASE WHEN (-{value}) % {{width}} = 0 THEN {value}"
        f" ELSE {value} - {{width}} + (-{value}) % {{width}} + 1 END)",
    )
    return (
        f"CASE WHEN {value} IS NULL THEN NULL WHEN {value} > -100 AND {value} < 100 THEN {value}"
        f" WHEN {value} > 0 THEN (CASE {positive} ELSE {value} END)"
        f" ELSE (CASE {negative} ELSE {value} END) END"
    )


def _tallies_sql() -> str:
    won, clv = "deal_outcome = 'won'", "CAST(clv AS FLOAT)"
    return (
        "COUNT(*) AS customers,"
        f" SUM(CASE WHEN {won} THEN 1 ELSE 0 END) AS won,"
        " SUM(CASE WHEN deal_outcome = 'lost' THEN 1 ELSE 0 END) AS lost,"
        f" SUM(CASE WHEN {won} AND lifecycle_stage = 'churned' THEN 1 ELSE 0 END) AS won_churned,"
        f" SUM(CASE WHEN {won} AND clv IS NOT NULL THEN 1 ELSE 0 END) AS clv_n,"
        f" SUM(CASE WHEN {won} THEN {clv} END) AS clv_sum,"
        f" SUM(CASE WHEN {won} THEN {clv} * {clv} END) AS clv_squares"
    )


def profiled_fields() -> dict[str, str]:
    """The fields profiled, with their kind."""
    return {name: kind for name, (kind, _) in FIELDS.items() if name not in NOT_PROFILED}


def _field_sql(name: str, kind: str) -> str:
    column = connection.ops.quote_name(Customer._meta.get_field(name).column)
    text = f"CAST({column} AS TEXT)" if kind in ("category", "text") else "CAST(NULL AS TEXT)"
    number = _bucket_sql(column) if kind == "number" else "CAST(NULL AS BIGINT)"
    flag = f"CASE WHEN {column} THEN 1 WHEN NOT {column} THEN 0 END" if kind == "boolean" else "CAST(NULL AS INTEGER)"
    value = {"category": text, "text": text, "number": number, "boolean": flag}[kind]
    table = connection.ops.quote_name(Customer._meta.db_table)
    grouped = (
        f"SELECT '{name}' AS field, {text} AS value_text, {number} AS value_number, {flag} AS value_flag,"
        f" {_tallies_sql()}, COUNT(*) OVER () AS values_n FROM {table} GROUP BY {value}"
    )
    return f"SELECT * FROM ({grouped}) AS {name}_values WHERE values_n <= {VALUE_LIMIT}"


def profile_compute() -> dict[str, list[Entry]]:
    """Every profiled field's entries, from the database, in one statement."""
    fields = profiled_fields()
    sql = " UNION ALL ".join(_field_sql(name, kind) for name, kind in fields.items())
    profile: dict[str, list[Entry]] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET jit = off")
        cursor.execute(sql)
        for field, text, number, flag, *counts, _ in cursor.fetchall():
            tally = Tally(*(int(count or 0) for count in counts[:5]), float(counts[5] or 0), float(counts[6] or 0))
            kind = fields[field]
            if kind == "number":
                low, high = bucket_bounds(number) if number is not None else (None, None)
                entry = Entry(value=low, tally=tally, low=low, high=high)
            elif kind == "boolean":
                entry = Entry(value=None if flag is None else bool(flag), tally=tally)
            else:
                entry = Entry(value=text, tally=tally)
            profile.setdefault(field, []).append(entry)
        if connection.vendor == "postgresql":
            cursor.execute("RESET jit")
    return profile


def _field_key(generation: str, field: str) -> str:
    return f"rubrics:value-profile:{hashlib.sha256(generation.encode()).hexdigest()[:16]}:{field}"


def profile_build() -> str:
    """Compute the profile of the base as it is now and keep it; returns the generation it describes.

    The generation is read before the profile, so a change made meanwhile makes it look stale (and built
    again), never fresher than it is."""
    generation = base_generation()
    profile = profile_compute()
    cache.set_many({_field_key(generation, field): entries for field, entries in profile.items()}, CACHE_SECONDS)
    cache.set(
        META_KEY, {"generation": generation, "fields": sorted(profile), "built_at": timezone.now()}, CACHE_SECONDS
    )
    cache.delete(BUILDING_KEY)
    return generation


def profile_entries(field: str, *, generation: str) -> list[Entry] | None:
    """The field's entries when the kept profile describes ``generation`` and holds the field; else None."""
    meta = cache.get(META_KEY)
    if not meta or meta["generation"] != generation or field not in meta["fields"]:
        return None
    return cache.get(_field_key(generation, field))


def profile_is_current(generation: str) -> bool:
    meta = cache.get(META_KEY)
    return bool(meta) and meta["generation"] == generation
