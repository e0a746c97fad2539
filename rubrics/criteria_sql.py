"""Each criterion as SQL: the conditions of its rule, its outcome code, and the arithmetic over codes.

``conditions`` turns a criterion into Django conditions over the customer table,
following ``rubrics/scoring.py`` exactly. ``outcome_code`` folds them into one
small integer per customer (the branch that matched, NO_DATA_CODE or
MISSED_CODE), so that bulk queries evaluate each rule once and compute points,
bits, gates and caps from the codes with integer arithmetic (the ``*_sql``
functions, SQL text over code columns named by the caller).
"""

from django.db import connection, models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import StrIndex
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, In, IsNull, LessThanOrEqual

from . import scoring

NO_DATA_CODE, MISSED_CODE = -1, -2


class AsciiLower(models.Func):
    """Lower-case A-Z only. SQLite's LOWER() does just that; PostgreSQL's does it under the "C" collation.

    (PostgreSQL's LOWER() in the database's own locale would fold É too; TRANSLATE
    would be exact but costs five times as much.)
    """

    function = "LOWER"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template='%(function)s(%(expressions)s COLLATE "C")', **extra_context)


class Extra(models.Func):
    """An extra attribute read as ``kind`` ("text", "number", "boolean"): NULL when it is not of that JSON type.

    "empty" reads it as a condition: the attribute is missing, JSON null or "".
    """

    OUTPUT = {"text": models.TextField(), "number": models.FloatField(), "boolean": models.BooleanField()}

    def __init__(self, key: str, kind: str):
        self.key, self.kind = key, kind
        # "empty" is a condition: a boolean output field makes it usable in Q and When.
        super().__init__(F("extra"), output_field=self.OUTPUT.get(kind, models.BooleanField()))

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        key = [self.key]
        if self.kind == "empty":
            return f"(COALESCE({column} ->> %s, '') = '')", (*params, *key)
        json_type = {"text": "string", "number": "number", "boolean": "boolean"}[self.kind]
        cast = {"text": "", "number": "::float8", "boolean": "::boolean"}[self.kind]
        sql = f"(CASE WHEN jsonb_typeof({column} -> %s) = '{json_type}' THEN ({column} ->> %s){cast} END)"
        return sql, (*params, *key, *params, *key)

    def as_sqlite(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        path = [f'$."{self.key}"']
        if self.kind == "empty":
            return f"(COALESCE(json_extract({column}, %s), '') = '')", (*params, *path)
        if self.kind == "boolean":
            sql = f"(CASE json_type({column}, %s) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)"
            return sql, (*params, *path)
        json_types = {"text": "('text')", "number": "('integer', 'real')"}[self.kind]
        cast = {"text": "json_extract({column}, %s)", "number": "CAST(json_extract({column}, %s) AS REAL)"}[self.kind]
        sql = f"(CASE WHEN json_type({column}, %s) IN {json_types} THEN {cast.format(column=column)} END)"
        return sql, (*params, *path, *params, *path)


class Decayed(models.Func):
    """An engagement criterion's value (scoring.criterion_value): when the customer has any daily event counts,
    the decayed sum of its counts of the criterion's event type, in double precision, operation for operation as
    scoring.day_worth_thousandths; otherwise its field as a float. A correlated subquery on the daily counts
    (their unique key starts with the customer), evaluated once per customer behind the outcome codes."""

    output_field = models.FloatField()

    def __init__(self, criterion: scoring.Criterion):
        self.decay = criterion.decay
        super().__init__(F("id"), F(criterion.field), output_field=models.FloatField())

    def as_sql(self, compiler, connection, **extra_context):
        customer, customer_params = compiler.compile(self.source_expressions[0])
        column, column_params = compiler.compile(self.source_expressions[1])
        decay = self.decay
        double = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
        least = "LEAST" if connection.vendor == "postgresql" else "MIN"
        if connection.vendor == "postgresql":
            age = f"CAST(CURRENT_DATE - d.day AS {double})"
        else:
            age = f"CAST(julianday(CURRENT_DATE) - julianday(d.day) AS {double})"
        counted, counted_params = 'd."count"', []
        if decay.cap_per_day is not None:
            counted, counted_params = f'{least}(d."count", %s)', [int(decay.cap_per_day)]
        worth = (
            f"FLOOR(CAST(%s AS {double}) * {counted} * POWER(CAST(0.5 AS {double}), {age} / CAST(%s AS {double}))"
            f" * CAST(1000 AS {double}) + CAST(0.5 AS {double}))"
        )
        worth_params = [float(decay.points), *counted_params, float(decay.half_life)]
        summed, summed_params = f"COALESCE(SUM({worth}), 0)", worth_params
        if decay.cap_total_thousandths is not None:
            summed, summed_params = (
                f"{least}(CAST(%s AS {double}), {summed})",
                [
                    float(decay.cap_total_thousandths),
                    *worth_params,
                ],
            )
        sql = (
            f"(CASE WHEN EXISTS (SELECT 1 FROM engagement_dailycount e WHERE e.customer_id = {customer})"
            f" THEN (SELECT CAST({summed} AS {double}) / CAST(1000 AS {double}) FROM engagement_dailycount d"
            f" WHERE d.customer_id = {customer} AND d.day <= CURRENT_DATE"
            " AND d.event_type_id = (SELECT t.id FROM engagement_eventtype t WHERE t.key = %s))"
            f" ELSE CAST({column} AS {double}) END)"
        )
        params = [*customer_params, *summed_params, *customer_params, decay.event_type, *column_params]
        return sql, params


def _source(criterion: scoring.Criterion, reading: str):
    """The customer's value for the criterion, as ``reading`` ("text", "number", "boolean") needs it."""
    if criterion.decay is not None and reading == "number":
        return Decayed(criterion)
    if criterion.kind == "extra":
        return Extra(criterion.field.removeprefix(scoring.EXTRA_PREFIX), reading)
    return F(criterion.field)


def conditions(criterion: scoring.Criterion) -> tuple[Q | None, list[tuple[Q, int]]]:
    """(no data, [(condition, points), ...] in order: the first that holds wins)."""
    operator, values = criterion.operator, criterion.values
    if operator == "empty":
        if criterion.kind == "extra":
            empty = Q(Extra(criterion.field.removeprefix(scoring.EXTRA_PREFIX), "empty"))
        elif criterion.kind in ("category", "text"):
            empty = Q(IsNull(F(criterion.field), True)) | Q(Exact(F(criterion.field), ""))
        else:
            empty = Q(IsNull(F(criterion.field), True))
        return None, [(empty, criterion.points)]
    if operator in (*scoring.CATEGORY_OPERATORS, *scoring.TEXT_OPERATORS):
        source = _source(criterion, "text")
        present = Q(IsNull(source, False)) & ~Q(Exact(source, ""))
        folded = AsciiLower(source)
        # A missing value (NULL or "") never equals or contains a value, which is never empty: only
        # "is not one of" needs the presence test. Leaving it out elsewhere saves work on every row.
        if operator == "in":
            hit = Q(In(folded, [scoring.fold(text) for text in values]))
        elif operator == "not_in":
            hit = present & ~Q(In(folded, [scoring.fold(text) for text in values]))
        else:
            hit = Q()
            for text in values:
                hit |= Q(GreaterThan(StrIndex(folded, Value(scoring.fold(text))), 0))
        return ~present, [(hit, criterion.points)]
    if operator in scoring.NUMBER_OPERATORS:
        source = _source(criterion, "number")
        present = Q(IsNull(source, False))
        number = float if scoring.reads_floats(criterion) else int

        def at_least(bound):
            return Q(GreaterThanOrEqual(source, Value(number(bound))))

        def at_most(bound):
            return Q(LessThanOrEqual(source, Value(number(bound))))

        # A comparison with NULL is never true, so the comparisons need no presence test.
        if operator == "bands":
            branches = []
            for band in criterion.bands:
                condition = Q()
                if band.min is not None:
                    condition &= at_least(band.min)
                if band.max is not None:
                    condition &= at_most(band.max)
                branches.append((condition, band.points))
            return ~present, branches
        if operator == "gte":
            hit = at_least(values[0])
        elif operator == "lte":
            hit = at_most(values[0])
        else:
            hit = at_least(values[0]) & at_most(values[1])
        return ~present, [(hit, criterion.points)]
    source = _source(criterion, "boolean")
    return Q(IsNull(source, True)), [(Q(Exact(source, operator == "true")), criterion.points)]


def any_branch(criterion: scoring.Criterion) -> Q:
    """The criterion matches (any of its branches holds: a band, or its one condition)."""
    matched = Q()
    for condition, _ in conditions(criterion)[1]:
        matched |= condition
    return matched


def code_key(criterion: scoring.Criterion) -> tuple:
    """What decides a criterion's outcome code: two criteria with the same key share one code."""
    bounds = tuple((band.min, band.max) for band in criterion.bands)
    return (criterion.field, criterion.kind, criterion.operator, criterion.values, bounds, criterion.decay)


def outcome_code(criterion: scoring.Criterion) -> models.Expression:
    """The branch that matched (a band's index, or 0), NO_DATA_CODE, or MISSED_CODE."""
    missing, branches = conditions(criterion)
    whens = [When(missing, then=Value(NO_DATA_CODE))] if missing is not None else []
    whens += [When(condition, then=Value(branch)) for branch, (condition, _) in enumerate(branches)]
    return Case(*whens, default=Value(MISSED_CODE), output_field=models.IntegerField())


def code_sum_sql(codes: list[tuple[str, scoring.Criterion]], value_of_branch) -> str:
    """SQL summing, over (code column, criterion) pairs, an integer chosen by each code (0 when none applies)."""
    terms = []
    for column, criterion in codes:
        whens = " ".join(
            f"WHEN {int(code)} THEN CAST({int(value)} AS BIGINT)" for code, value in value_of_branch(criterion) if value
        )
        if whens:
            terms.append(f"(CASE {column} {whens} ELSE 0 END)")
    return " + ".join(terms) or "0"


def branch_points(criterion: scoring.Criterion) -> list[tuple[int, int]]:
    if criterion.operator == "bands":
        return [(branch, band.points) for branch, band in enumerate(criterion.bands)]
    return [(0, criterion.points)]


def subtotal_sql(spec: scoring.Rubric, codes: list[str], group: str) -> tuple[str, str]:
    """(raw, capped): the points of ``group``'s criteria, and the same up to the group's cap.

    ``codes`` names each criterion's code column, in the order of ``spec.criteria``.
    """
    pairs = [(column, c) for column, c in zip(codes, spec.criteria, strict=True) if c.group == group]
    raw = f"CAST({code_sum_sql(pairs, branch_points)} AS INTEGER)"
    return raw, least_sql(raw, spec.cap_of(group))


def least_sql(sql: str, cap: int | None) -> str:
    """``sql`` up to ``cap``: LEAST on PostgreSQL, the scalar MIN(a, b) on SQLite."""
    if cap is None:
        return sql
    function = "LEAST" if connection.vendor == "postgresql" else "MIN"
    return f"{function}({sql}, {int(cap)})"


def gates_failed_sql(spec: scoring.Rubric, codes: list[str]) -> str:
    """How many gates a customer fails (0: it passes them): must-haves not matched, disqualifiers matched.

    A criterion matched iff its code is 0 or more; codes are never NULL.
    """
    terms = []
    for column, criterion in zip(codes, spec.criteria, strict=True):
        if criterion.gate == scoring.GATE_MUST:
            terms.append(f"(CASE WHEN {column} >= 0 THEN 0 ELSE 1 END)")
        elif criterion.gate == scoring.GATE_NEVER:
            terms.append(f"(CASE WHEN {column} >= 0 THEN 1 ELSE 0 END)")
    return " + ".join(terms) or "0"


def verdict_sql(spec: scoring.Rubric, total: str, failed: str) -> dict[str, str]:
    """SQL of qualified, passes_gates and rank from the total and the gates failed (columns or expressions)."""
    passes = f"({failed} = 0)"
    rank = f"(CASE WHEN {failed} = 0 THEN {total} + {spec.rank_offset} ELSE {total} END)" if spec.has_gates else total
    return {
        "qualified": f"({failed} = 0 AND {total} >= {int(spec.threshold)})",
        "passes_gates": passes,
        "rank": rank,
    }
