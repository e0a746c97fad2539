"""The scoring engine's rules as SQL: Django expressions over the customer table.

``score_annotations`` turns a rubric into expressions for a Customer queryset
(total, subtotals, qualified, and the matched / no-data bitmasks), following
the rules of ``rubrics/scoring.py`` exactly; a property-based test checks the
two agree on PostgreSQL and SQLite. ``scored_sql`` computes the same for bulk
work with each criterion's conditions evaluated once per customer (as an
outcome code, from which points and bits are integer arithmetic), and
``scores_write`` stores them for a range of customers in one set-based
statement.
"""

import datetime

from django.db import connection, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast, StrIndex
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, In, IsNull, LessThanOrEqual
from django.utils import timezone

from customers.models import Customer

from . import scoring
from .models import QualificationChange, RubricVersion, Score
from .rescoring import id_ranges


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


def _source(criterion: scoring.Criterion, reading: str):
    """The customer's value for the criterion, as ``reading`` ("text", "number", "boolean") needs it."""
    if criterion.kind == "extra":
        return Extra(criterion.field.removeprefix(scoring.EXTRA_PREFIX), reading)
    return F(criterion.field)


def _conditions(criterion: scoring.Criterion) -> tuple[Q | None, list[tuple[Q, int]]]:
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
        number = float if criterion.kind == "extra" else int

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


def _bigint(number: int):
    return Cast(Value(number), models.BigIntegerField())


def score_annotations(rubric: scoring.Rubric) -> dict[str, models.Expression]:
    """Expressions computing, per customer, what scoring.score computes: total, subtotals, qualified, masks."""
    slots = rubric.first_slots()
    subtotals = {group: [] for group in scoring.GROUPS}
    matched, no_data = [], []
    for criterion in rubric.criteria:
        missing, branches = _conditions(criterion)
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
    annotations = {group: Cast(_sum(parts, Value(0)), models.IntegerField()) for group, parts in subtotals.items()}
    total = Cast(_sum([part for parts in subtotals.values() for part in parts], Value(0)), models.IntegerField())
    annotations["total"] = total
    annotations["qualified"] = models.ExpressionWrapper(
        Q(GreaterThanOrEqual(total, Value(rubric.threshold))), output_field=models.BooleanField()
    )
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


SCORE_COLUMNS = ("total", "fit", "engagement", "qualitative", "qualified", "matched", "no_data")
# The customer's fields a score keeps a copy of for the lead list (Score.name ... Score.stage):
# score column -> customer column.
COPIED_COLUMNS = {
    "name": "name",
    "owner_id": "owner_id",
    "industry": "industry",
    "country": "country",
    "region": "region",
    "stage": "lifecycle_stage",
}
WRITTEN_COLUMNS = (*SCORE_COLUMNS, *COPIED_COLUMNS)


NO_DATA_CODE, MISSED_CODE = -1, -2


def outcome_annotations(rubric: scoring.Rubric) -> dict[str, models.Expression]:
    """One small integer per criterion (``c0``, ``c1``, ...): the branch that matched (a band's index, or 0),
    NO_DATA_CODE, or MISSED_CODE. Each criterion's conditions are evaluated once per customer."""
    codes = {}
    for index, criterion in enumerate(rubric.criteria):
        missing, branches = _conditions(criterion)
        whens = [When(missing, then=Value(NO_DATA_CODE))] if missing is not None else []
        whens += [When(condition, then=Value(branch)) for branch, (condition, _) in enumerate(branches)]
        codes[f"c{index}"] = Case(*whens, default=Value(MISSED_CODE), output_field=models.IntegerField())
    return codes


def _code_sum(rubric: scoring.Rubric, value_of_branch, only=lambda criterion: True) -> str:
    """SQL summing, over the criteria, an integer chosen by each criterion's code (0 when none applies)."""
    terms = []
    for index, criterion in enumerate(rubric.criteria):
        if not only(criterion):
            continue
        whens = " ".join(
            f"WHEN {int(code)} THEN CAST({int(value)} AS BIGINT)" for code, value in value_of_branch(criterion) if value
        )
        if whens:
            terms.append(f"(CASE c{index} {whens} ELSE 0 END)")
    return " + ".join(terms) or "0"


def scored_sql(spec: scoring.Rubric, customers: models.QuerySet) -> tuple[str, list]:
    """A SELECT of (id, fit, engagement, qualitative, matched, no_data, total, qualified) for ``customers``.

    1. the innermost query gives each criterion's outcome code, behind an optimisation fence
       (OFFSET 0) so that neither database inlines the conditions into every use of them;
    2. the subtotals and masks are integer arithmetic on the codes;
    3. the total and the qualified flag come from the subtotals.
    """
    codes = outcome_annotations(spec)
    copied = customers.order_by().annotate(**codes).values("id", *COPIED_COLUMNS.values(), *codes)
    inner_sql, inner_params = copied.query.sql_with_params()
    fence = " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1 OFFSET 0"
    slots = spec.first_slots()

    def points(criterion):
        if criterion.operator == "bands":
            return [(branch, band.points) for branch, band in enumerate(criterion.bands)]
        return [(0, criterion.points)]

    def matched_bits(criterion):
        return [(branch, 1 << (slots[criterion.id] + branch)) for branch in range(criterion.slot_count)]

    def no_data_bit(criterion):
        return [(NO_DATA_CODE, 1 << slots[criterion.id])]

    columns = [
        *(
            f"CAST({_code_sum(spec, points, lambda criterion, group=group: criterion.group == group)} AS INTEGER)"
            f" AS {group}"
            for group in scoring.GROUPS
        ),
        f"{_code_sum(spec, matched_bits)} AS matched",
        f"{_code_sum(spec, no_data_bit)} AS no_data",
    ]
    copies = ", ".join(f"codes.{source} AS {column}" for column, source in COPIED_COLUMNS.items())
    subtotals = f"SELECT codes.id, {copies}, {', '.join(columns)} FROM ({inner_sql}{fence}) AS codes"
    sql = (
        "SELECT t.*, t.total >= %s AS qualified FROM"
        f" (SELECT s.*, s.fit + s.engagement + s.qualitative AS total FROM ({subtotals}) AS s) AS t"
    )
    return sql, [spec.threshold, *inner_params]


def scores_write(*, version: RubricVersion, spec: scoring.Rubric, low_id: int, high_id: int) -> int:
    """Store the version's scores of customers low_id..high_id; return how many rows changed.

    1. compute every score in the database from the compiled rubric;
    2. record a QualificationChange where the qualified flag changes (or a first score qualifies);
    3. upsert the scores with copies of the customer's fields the lead list filters by, writing
       only rows whose version, numbers or copies differ, so running it twice (or on an unchanged
       rubric and customer) writes nothing.
    """
    select_sql, select_params = scored_sql(spec, Customer.objects.filter(pk__gte=low_id, pk__lte=high_id))
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")  # the large CASE runs ~2.5x slower with JIT
            sql, params = _postgresql_statement(select_sql, select_params, version, now, low_id, high_id)
            cursor.execute(sql, params)
            return cursor.rowcount
        for sql, params in _sqlite_statements(select_sql, select_params, version, now, low_id, high_id):
            cursor.execute(sql, params)
        return cursor.rowcount


def _names():
    quote = connection.ops.quote_name
    return quote(Score._meta.db_table), quote(QualificationChange._meta.db_table)


def _changes_select(computed: str, version: RubricVersion, now: datetime.datetime, low_id: int, high_id: int):
    """The scores whose qualification changes. The old scores are bounded to the range, so the
    join reads them through the (customer, rubric) index instead of the whole table."""
    score_table, _ = _names()
    sql = (
        f"SELECT s.id, %s, %s, old.qualified, s.qualified, s.total, %s FROM {computed} AS s"
        f" LEFT JOIN {score_table} AS old ON old.customer_id = s.id AND old.rubric_id = %s"
        " AND old.customer_id BETWEEN %s AND %s"
        " WHERE (old.id IS NULL AND s.qualified) OR (old.id IS NOT NULL AND old.qualified <> s.qualified)"
    )
    return sql, [version.rubric_id, version.pk, now, version.rubric_id, low_id, high_id]


def _upsert(computed: str, version: RubricVersion, now: datetime.datetime, distinct: str):
    score_table, _ = _names()
    columns = ", ".join(WRITTEN_COLUMNS)
    compared = ("version_id", *WRITTEN_COLUMNS)
    changed = " OR ".join(f"{score_table}.{column} {distinct} excluded.{column}" for column in compared)
    sql = (
        f"INSERT INTO {score_table} (customer_id, rubric_id, version_id, {columns}, scored_at)"
        f" SELECT s.id, %s, %s, {', '.join(f's.{c}' for c in WRITTEN_COLUMNS)}, %s FROM {computed} AS s WHERE true"
        f" ON CONFLICT (customer_id, rubric_id) DO UPDATE SET version_id = excluded.version_id,"
        f" {', '.join(f'{c} = excluded.{c}' for c in WRITTEN_COLUMNS)}, scored_at = excluded.scored_at"
        f" WHERE {changed}"
    )
    return sql, [version.rubric_id, version.pk, now]


def _change_columns() -> str:
    return "(customer_id, rubric_id, version_id, was_qualified, qualified, total, changed_at)"


def _postgresql_statement(select_sql, select_params, version, now, low_id, high_id):
    """One statement: the scores computed once (a CTE), the history and the upsert from them."""
    _, change_table = _names()
    changes_sql, changes_params = _changes_select("computed", version, now, low_id, high_id)
    upsert_sql, upsert_params = _upsert("computed", version, now, "IS DISTINCT FROM")
    sql = (
        f"WITH computed AS MATERIALIZED ({select_sql}),"
        f" history AS (INSERT INTO {change_table} {_change_columns()} {changes_sql})"
        f" {upsert_sql}"
    )
    return sql, [*select_params, *changes_params, *upsert_params]


def _sqlite_statements(select_sql, select_params, version, now, low_id, high_id):
    """SQLite has no writing CTEs: the history first (it reads the old scores), then the upsert."""
    _, change_table = _names()
    changes_sql, changes_params = _changes_select(f"({select_sql})", version, now, low_id, high_id)
    upsert_sql, upsert_params = _upsert(f"({select_sql})", version, now, "IS NOT")
    return [
        (
            f"INSERT INTO {change_table} {_change_columns()} {changes_sql}",
            [*changes_params[:3], *select_params, *changes_params[3:]],
        ),
        (upsert_sql, [*upsert_params, *select_params]),
    ]


def score_copies_refresh(*, customer_ids: list[int]) -> int:
    """Bring the scores' copies of these customers' fields (COPIED_COLUMNS) up to date now; return
    the rows written. Customers between the given ids may be read too; unchanged copies are not written."""
    score_table = connection.ops.quote_name(Score._meta.db_table)
    customer_table = connection.ops.quote_name(Customer._meta.db_table)
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    assignments = ", ".join(f"{column} = c.{source}" for column, source in COPIED_COLUMNS.items())
    changed = " OR ".join(f"{score_table}.{column} {distinct} c.{source}" for column, source in COPIED_COLUMNS.items())
    sql = (
        f"UPDATE {score_table} SET {assignments} FROM {customer_table} AS c"
        f" WHERE c.id = {score_table}.customer_id AND {score_table}.customer_id BETWEEN %s AND %s AND ({changed})"
    )
    written = 0
    with connection.cursor() as cursor:
        for low, high in id_ranges(customer_ids):
            cursor.execute(sql, [low, high])
            written += cursor.rowcount
    return written


def score_statistics_refresh() -> None:
    """ANALYZE the score tables after a bulk (re-)score, so the lead list's plans see the new rows at once
    (autovacuum may be off or lag behind a rewrite of a million rows). PostgreSQL only."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in (Score, QualificationChange))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
