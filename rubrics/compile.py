"""The scoring engine's rules as SQL: Django expressions and set-based statements over the customer table.

``score_annotations`` turns a rubric into expressions for a Customer queryset
(total, subtotals with their caps, qualified with the gates, passes_gates,
rank, and the matched / no-data bitmasks), following the rules of
``rubrics/scoring.py`` exactly; a property-based test checks the two agree on
PostgreSQL and SQLite. ``scored_sql`` computes the same for bulk work with each
criterion's conditions evaluated once per customer (as an outcome code, from
which points, bits and gates are integer arithmetic: ``criteria_sql.py``), and
``scores_write`` stores them for a range of customers in one set-based
statement. ``versions_scored_sql`` scores several versions in one pass and
``versions_counted_sql`` counts customers per combination of their totals and
qualified flags (the preview); ``stored_passes_gates`` / ``stored_rank`` read a
stored score's masks (the analytics).
"""

from collections.abc import Iterable

from django.db import connection, models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast, Least
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual

from . import scoring
from .criteria_sql import (
    NO_DATA_CODE,
    any_branch,
    code_key,
    code_sum_sql,
    conditions,
    gates_failed_sql,
    least_sql,
    outcome_code,
    subtotal_sql,
    verdict_sql,
)
from .upsert import COPIED_COLUMNS

CUSTOMER_RANGE_GAP = 50  # ids this close together are re-scored as one range


def _bigint(number: int):
    return Cast(Value(number), models.BigIntegerField())


def _flag(condition: Q, *, then: int, otherwise: int) -> Case:
    """An integer flag of a condition: NULL-safe (a condition that is NULL gives ``otherwise``)."""
    return Case(When(condition, then=Value(then)), default=Value(otherwise), output_field=models.IntegerField())


def _gates_failed(rubric: scoring.Rubric):
    """How many gates a customer fails, as an expression (0: it passes them)."""
    flags = []
    for criterion in rubric.criteria:
        if criterion.gate == scoring.GATE_MUST:
            flags.append(_flag(any_branch(criterion), then=0, otherwise=1))
        elif criterion.gate == scoring.GATE_NEVER:
            flags.append(_flag(any_branch(criterion), then=1, otherwise=0))
    return _sum(flags, Value(0))


def _verdict(rubric: scoring.Rubric, total, failed) -> dict[str, models.Expression]:
    """qualified, passes_gates and rank from a total and the gates failed (expressions)."""
    if not rubric.has_gates:
        qualified = Q(GreaterThanOrEqual(total, Value(rubric.threshold)))
        return {
            "qualified": models.ExpressionWrapper(qualified, output_field=models.BooleanField()),
            "passes_gates": models.ExpressionWrapper(Value(True), output_field=models.BooleanField()),
            "rank": total,
        }
    passes = Q(Exact(failed, Value(0)))
    return {
        "qualified": models.ExpressionWrapper(
            passes & Q(GreaterThanOrEqual(total, Value(rubric.threshold))), output_field=models.BooleanField()
        ),
        "passes_gates": models.ExpressionWrapper(passes, output_field=models.BooleanField()),
        "rank": Case(When(passes, then=total + Value(rubric.rank_offset)), default=total),
    }


def score_annotations(rubric: scoring.Rubric) -> dict[str, models.Expression]:
    """Expressions computing, per customer, what scoring.score computes: the subtotals (``raw_<group>`` before
    the caps, ``<group>`` after), total, qualified, passes_gates, rank and the masks."""
    slots = rubric.first_slots()
    subtotals = {group: [] for group in scoring.GROUPS}
    matched, no_data = [], []
    for criterion in rubric.criteria:
        missing, branches = conditions(criterion)
        subtotals[criterion.group].append(
            Case(*(When(condition, then=Value(points)) for condition, points in branches), default=Value(0))
        )
        first = slots[criterion.id]
        matched.append(
            Case(
                *(When(condition, then=_bigint(1 << (first + i))) for i, (condition, _) in enumerate(branches)),
                default=_bigint(0),
            )
        )
        if missing is not None:
            no_data.append(Case(When(missing, then=_bigint(1 << first)), default=_bigint(0)))
    annotations = {}
    for group, parts in subtotals.items():
        raw = Cast(_sum(parts, Value(0)), models.IntegerField())
        cap = rubric.cap_of(group)
        annotations[f"raw_{group}"] = raw
        annotations[group] = raw if cap is None else Least(raw, Value(cap), output_field=models.IntegerField())
    total = _sum([annotations[group] for group in scoring.GROUPS], Value(0))
    annotations["total"] = total
    annotations.update(_verdict(rubric, total, _gates_failed(rubric)))
    annotations["matched"] = _sum(matched, _bigint(0))
    annotations["no_data"] = _sum(no_data, _bigint(0))
    return annotations


def _sum(parts, zero):
    if not parts:
        return zero
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def _criterion_bits(rubric: scoring.Rubric, criterion: scoring.Criterion) -> int:
    first = rubric.first_slots()[criterion.id]
    return sum(1 << (first + branch) for branch in range(criterion.slot_count))


def _stored_gates_failed(rubric: scoring.Rubric, matched: str):
    """How many gates a stored score fails, from its matched mask: 0 when it passes them (NULL fails)."""

    def bits_of(mask: int):
        return F(matched).bitand(Value(mask, output_field=models.BigIntegerField()))

    musts = [c for c in rubric.criteria if c.gate == scoring.GATE_MUST]
    single = sum(_criterion_bits(rubric, c) for c in musts if c.slot_count == 1)
    never = sum(_criterion_bits(rubric, c) for c in rubric.criteria if c.gate == scoring.GATE_NEVER)
    flags = []
    if single:  # every single-slot must-have at once: all their bits are set
        flags.append(_flag(Q(Exact(bits_of(single), single)), then=0, otherwise=1))
    for criterion in musts:
        if criterion.slot_count > 1:  # a banded must-have: any of its bands
            flags.append(_flag(Q(GreaterThan(bits_of(_criterion_bits(rubric, criterion)), 0)), then=0, otherwise=1))
    if never:
        flags.append(_flag(Q(Exact(bits_of(never), 0)), then=0, otherwise=1))
    return _sum(flags, Value(0))


def stored_passes_gates(rubric: scoring.Rubric, *, matched: str = "matched") -> models.Expression:
    """Whether a stored score (its ``matched`` mask, a field path) passes the rubric's gates: a boolean."""
    return _verdict(rubric, Value(0), _stored_gates_failed(rubric, matched))["passes_gates"]


def stored_rank(rubric: scoring.Rubric, *, matched: str = "matched", total: str = "total") -> models.Expression:
    """A stored score's rank (scoring.Rubric.rank) from its total and matched mask (field paths)."""
    return _verdict(rubric, F(total), _stored_gates_failed(rubric, matched))["rank"]


def outcome_annotations(rubric: scoring.Rubric) -> dict[str, models.Expression]:
    """One small integer per criterion (``c0``, ``c1``, ...): the branch that matched (a band's index, or 0),
    NO_DATA_CODE, or MISSED_CODE. Each criterion's conditions are evaluated once per customer."""
    return {f"c{index}": outcome_code(criterion) for index, criterion in enumerate(rubric.criteria)}


def _fence(sql: str) -> str:
    """``sql`` (a SELECT) behind an optimisation fence (OFFSET 0), in parentheses: neither database pulls it
    up into the query around it, which would inline each of its expressions into every use of it."""
    fence = " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1 OFFSET 0"
    return f"({sql}{fence})"


def _fenced(queryset: models.QuerySet) -> tuple[str, list]:
    """The queryset's SQL behind an optimisation fence, so that the outcome codes are computed once."""
    sql, params = queryset.query.sql_with_params()
    return _fence(sql), list(params)


def scored_sql(spec: scoring.Rubric, customers: models.QuerySet) -> tuple[str, list]:
    """A SELECT of (id, the copied columns, raw_<group>, <group>, matched, no_data, gates_failed, total, qualified,
    passes_gates, rank) for ``customers``.

    1. the innermost query gives each criterion's outcome code, behind an optimisation fence;
    2. the raw subtotals, the masks and the gates failed are integer arithmetic on the codes;
    3. the capped subtotals and the total come from the raw subtotals;
    4. qualified, passes_gates and rank from the total and the gates failed.
    """
    codes = outcome_annotations(spec)
    inner_sql, inner_params = _fenced(
        customers.order_by().annotate(**codes).values("id", *COPIED_COLUMNS.values(), *codes)
    )
    code_columns = [f"codes.{name}" for name in codes]
    slots = spec.first_slots()

    def matched_bits(criterion):
        return [(branch, 1 << (slots[criterion.id] + branch)) for branch in range(criterion.slot_count)]

    def no_data_bit(criterion):
        return [(NO_DATA_CODE, 1 << slots[criterion.id])]

    pairs = list(zip(code_columns, spec.criteria, strict=True))
    raw = [f"{subtotal_sql(spec, code_columns, group)[0]} AS raw_{group}" for group in scoring.GROUPS]
    copies = ", ".join(f"codes.{source} AS {column}" for column, source in COPIED_COLUMNS.items())
    summed = (
        f"SELECT codes.id, {copies}, {', '.join(raw)}, {code_sum_sql(pairs, matched_bits)} AS matched,"
        f" {code_sum_sql(pairs, no_data_bit)} AS no_data, {gates_failed_sql(spec, code_columns)} AS gates_failed"
        f" FROM {inner_sql} AS codes"
    )
    capped = [least_sql(f"s.raw_{group}", spec.cap_of(group)) for group in scoring.GROUPS]
    # The sums behind a fence too: pulled up, each would be computed again in the total, and the total again in
    # the verdict (the fill's SELECT took 15 to 20 % longer).
    totalled = (
        f"SELECT s.*, {', '.join(f'{sql} AS {group}' for sql, group in zip(capped, scoring.GROUPS, strict=True))},"
        f" {' + '.join(capped)} AS total FROM {_fence(summed)} AS s"
    )
    verdict = verdict_sql(spec, "t.total", "t.gates_failed")
    sql = f"SELECT t.*, {', '.join(f'{sql} AS {name}' for name, sql in verdict.items())} FROM ({totalled}) AS t"
    return sql, inner_params


def versions_scored_sql(
    specs: list[scoring.Rubric], customers: models.QuerySet, extra_columns: tuple[str, ...] = ()
) -> tuple[str, list]:
    """A SELECT of (id, the ``extra_columns`` of the customer, and for each spec i: total_i, qualified_i,
    passes_i, rank_i) for ``customers``: several versions scored in one pass, in the order of ``customers``
    when it is explicitly ordered (so that a query taking the first few can stop early).

    1. the innermost query gives one outcome code per distinct rule (criteria of several versions with the
       same field, operator, values and bands share it), behind an optimisation fence;
    2. each version's capped subtotals and gates failed are integer arithmetic on the codes;
    3. its total, then qualified, passes and rank.
    """
    columns: dict[tuple, str] = {}
    codes: dict[str, models.Expression] = {}
    code_columns: list[list[str]] = []
    for spec in specs:
        spec_columns = []
        for criterion in spec.criteria:
            key = code_key(criterion)
            if key not in columns:
                columns[key] = f"c{len(columns)}"
                codes[columns[key]] = outcome_code(criterion)
            spec_columns.append(f"codes.{columns[key]}")
        code_columns.append(spec_columns)
    ordered = customers if customers.query.order_by else customers.order_by()
    inner_sql, inner_params = _fenced(ordered.annotate(**codes).values("id", *extra_columns, *codes))
    subtotals, totals, verdicts = [], [], []
    for index, spec in enumerate(specs):
        groups = [f"{subtotal_sql(spec, code_columns[index], group)[1]} AS {group}_{index}" for group in scoring.GROUPS]
        subtotals += [*groups, f"{gates_failed_sql(spec, code_columns[index])} AS failed_{index}"]
        totals.append(f"{' + '.join(f's.{group}_{index}' for group in scoring.GROUPS)} AS total_{index}")
        verdict = verdict_sql(spec, f"t.total_{index}", f"t.failed_{index}")
        verdicts += [
            f"t.total_{index}",
            f"{verdict['qualified']} AS qualified_{index}",
            f"{verdict['passes_gates']} AS passes_{index}",
            f"{verdict['rank']} AS rank_{index}",
        ]
    codes_kept = ", ".join(f"codes.{column}" for column in ["id", *extra_columns])
    summed = f"SELECT {', '.join([codes_kept, *subtotals])} FROM {inner_sql} AS codes"
    # The sums behind a fence, as in scored_sql.
    totals_sql = f"s.*, {', '.join(totals)}" if specs else "s.*"
    totalled = f"SELECT {totals_sql} FROM {_fence(summed)} AS s"
    kept_columns = ", ".join(f"t.{column}" for column in ("id", *extra_columns))
    sql = f"SELECT {', '.join([kept_columns, *verdicts])} FROM ({totalled}) AS t"
    return sql, inner_params


def _contribution(criterion: scoring.Criterion) -> tuple:
    """What a criterion adds to a version: two criteria with the same one add the same to every customer."""
    bands = tuple((band.min, band.max, band.points) for band in criterion.bands)
    return (code_key(criterion), criterion.points, bands, criterion.group, criterion.gate)


def versions_counted_sql(
    specs: list[scoring.Rubric], customers: models.QuerySet, by: tuple[str, ...] = ()
) -> tuple[str, list]:
    """A SELECT of (total_i, qualified_i, passes_i for each spec i, the customer columns ``by``, customers):
    how many ``customers`` get each combination of totals and verdicts by the versions (and of the values of
    ``by``: an owner, a deal's outcome), in one aggregate pass over them.

    1. the criteria are split by the versions that have them alike (same rule, points, group and gate: a
       draft shares most of its published version's); per part, the points of each group and the gates
       failed are sums of CASE, each criterion evaluated once per customer (a gate with points twice);
    2. the pass groups the customers by those sums (a few hundred groups at most, hashed in parallel);
    3. each version's capped subtotals, total and qualified flag are arithmetic on a group's sums, and the
       groups are summed by (total_i, qualified_i).
    """
    multiplicity: dict[tuple, list[int]] = {}
    criterion_of: dict[tuple, scoring.Criterion] = {}
    for index, spec in enumerate(specs):
        for criterion in spec.criteria:
            key = _contribution(criterion)
            multiplicity.setdefault(key, [0] * len(specs))[index] += 1
            criterion_of[key] = criterion
    parts: dict[tuple, list[scoring.Criterion]] = {}
    for key, counts in multiplicity.items():
        parts.setdefault(tuple(counts), []).append(criterion_of[key])
    sums: dict[str, models.Expression] = {}
    used_by: dict[str, tuple[int, ...]] = {}  # sum column -> how many times each version counts it
    for number, (counts, criteria) in enumerate(parts.items()):
        part = scoring.Rubric(criteria=tuple(criteria), threshold=0)
        annotations = score_annotations(part)
        for name in (*(f"raw_{group}" for group in scoring.GROUPS), "gates_failed"):
            if name == "gates_failed" and not part.has_gates:
                continue
            if name != "gates_failed" and not any(c.group == name.removeprefix("raw_") for c in criteria):
                continue
            column = f"p{number}_{name}"
            sums[column] = annotations[name] if name != "gates_failed" else _gates_failed(part)
            used_by[column] = counts
    sums = sums or {"everyone": Value(0)}  # no criterion at all: one group
    grouped = customers.order_by().annotate(**sums).values(*sums, *by).annotate(customers=models.Count("pk"))
    inner_sql, inner_params = grouped.query.sql_with_params()

    def summed(index: int, name: str) -> str:
        terms = [
            f"{counts[index]} * g.{column}"
            for column, counts in used_by.items()
            if counts[index] and column.endswith(f"_{name}")
        ]
        return " + ".join(terms) or "0"

    keys, columns = [], []
    for index, spec in enumerate(specs):
        total = " + ".join(least_sql(f"({summed(index, f'raw_{g}')})", spec.cap_of(g)) for g in scoring.GROUPS)
        verdict = verdict_sql(spec, f"({total})", f"({summed(index, 'gates_failed')})")
        columns += [
            f"{total} AS total_{index}",
            f"{verdict['qualified']} AS qualified_{index}",
            f"{verdict['passes_gates']} AS passes_{index}",
        ]
        keys += [f"total_{index}", f"qualified_{index}", f"passes_{index}"]
    columns += [f"g.{column}" for column in by]
    keys += list(by)
    selected = ", ".join([*columns, "g.customers"])
    sql = (
        f"SELECT {', '.join(keys)}, SUM(v.customers) AS customers FROM (SELECT {selected} FROM ({inner_sql}) AS g) AS v"
        f" GROUP BY {', '.join(keys)}"
    )
    return sql, list(inner_params)


def id_ranges(ids: Iterable[int], gap: int = CUSTOMER_RANGE_GAP) -> list[tuple[int, int]]:
    """Sorted ids as few (low, high) ranges; ids at most ``gap`` apart share one.

    Re-scoring the few customers between them is harmless: an unchanged score is not written.
    """
    ranges: list[list[int]] = []
    for customer_id in sorted(set(ids)):
        if ranges and customer_id - ranges[-1][1] <= gap:
            ranges[-1][1] = customer_id
        else:
            ranges.append([customer_id, customer_id])
    return [(low, high) for low, high in ranges]
