"""The customers' CSV export written by PostgreSQL itself: ``COPY (SELECT …) TO STDOUT WITH CSV``.

The Python path (``exports.csv_chunks``) spends most of a million-row export turning values into
text. Here the database does it, and the bytes it sends go to the response as they come:

1. ``copy_select`` turns the export's queryset (its filters, joins and order) into a SELECT whose
   every column is already the text the Python path writes: formula cells get the same leading
   apostrophe, booleans are ``true``/``false``, dates and times are ISO 8601 as Python writes them,
   ``extra`` is JSON with its keys sorted (nothing when no exported customer has extra attributes:
   then PostgreSQL computes the columns in parallel), and an empty text is NULL (PostgreSQL quotes an
   empty string, Python does not);
2. ``copy_csv_chunks`` reads the COPY one row at a time (the protocol sends one row per message)
   and ends each row with ``\\r\\n``, as Python's csv module does, where PostgreSQL writes ``\\n``.

PostgreSQL only: ``csv_export_chunks`` (below) chooses this or the Python path (SQLite: make run).
"""

import contextlib
from collections.abc import Iterator

import psycopg
from django.db import connections, transaction
from django.db.models import BooleanField, DateField, DateTimeField, F, Func, JSONField, QuerySet, TextField

from ops.planner import planner_method_off

from .exports import COLUMNS, CSV_ROWS_PER_CHUNK, FORMULA_STARTS, csv_chunks, csv_header, export_rows
from .selectors import customer_count_estimate

# An export of at least this many customers (the planner's estimate) reads the table front to back and sorts
# the rows, rather than reading them in the list's order through an index (see copy_csv_chunks).
SORTED_READ_FROM = 100_000

# A leading apostrophe on text that starts like a formula (exports.FORMULA_STARTS, here by their code
# points: ascii() is several times cheaper than comparing left(text, 1)).
_FORMULA_CODES = ", ".join(str(ord(start)) for start in FORMULA_STARTS)
TEXT_SQL = f"CASE WHEN ascii({{c}}) IN ({_FORMULA_CODES}) THEN '''' || {{c}} ELSE NULLIF({{c}}, '') END"
BOOLEAN_SQL = "CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END"
# Dates and times as isoformat() writes them, from their text in DateStyle ISO (set with the COPY):
# a date as it is; a time in UTC with "T", and six digits of microseconds when there are some
# (PostgreSQL drops trailing zeros). Several times cheaper than to_char.
DATE_SQL = "{c}::text"
DATETIME_SQL = (
    "overlay(rpad(({c} AT TIME ZONE 'UTC')::text,"
    " CASE WHEN length(({c} AT TIME ZONE 'UTC')::text) > 19 THEN 26 ELSE 19 END, '0') placing 'T' from 11)"
    " || '+00:00'"
)
# A JSON value as json.dumps(json.loads(<its jsonb text>)) writes it. jsonb writes numbers as
# decimals; Python reads those with a point as floats and writes repr(float): in positional
# notation from 1e-4 to 1e16 (always with a point), else in exponent notation, as PostgreSQL's
# float8 does (its positional range ends at 1e15, hence the numeric round trip there).
JSON_VALUE_SQL = (
    "CASE WHEN n.positional IS NOT NULL"
    " THEN n.positional || CASE WHEN strpos(n.positional, '.') = 0 THEN '.0' ELSE '' END"
    " WHEN n.float IS NOT NULL THEN n.float::text ELSE e.value::text END"
)
# json.dumps(extra, ensure_ascii=False, sort_keys=True), or nothing for {}: jsonb writes the same
# separators and escapes, but orders keys by length first, so the keys are sorted here (by code
# point, as Python sorts them). A nested object keeps jsonb's order: the API takes only scalars.
EXTRA_SQL = (
    "CASE WHEN {c} = '{}' THEN NULL"
    " WHEN jsonb_typeof({c}) = 'object' THEN (SELECT '{' || string_agg(to_json(e.key)::text || ': ' || "
    + JSON_VALUE_SQL
    + ", ', '"
    " ORDER BY e.key COLLATE \"C\") || '}'"
    " FROM jsonb_each({c}) AS e CROSS JOIN LATERAL (SELECT f.float,"
    " CASE WHEN f.float = 0 OR abs(f.float) >= 1e-4 AND abs(f.float) < 1e16"
    " THEN f.float::text::numeric::text END AS positional"
    " FROM (SELECT CASE WHEN jsonb_typeof(e.value) = 'number' AND strpos(e.value::text, '.') > 0"
    " THEN (e.value::text)::float8 END AS float) AS f) AS n)"
    " WHEN jsonb_typeof({c}) = 'array' THEN NULLIF({c}::text, '[]')"
    " WHEN jsonb_typeof({c}) = 'string' THEN " + TEXT_SQL.replace("{c}", "({c} #>> '{}')") + ""
    " WHEN jsonb_typeof({c}) = 'null' THEN NULL"
    " ELSE {c}::text END"
)


class ColumnAsCsvText(Func):
    """One column, written in SQL as the Python export writes it; ``sql`` names the column ``{c}``.

    Only plain column references go in (no parameters), as the column appears several times.
    """

    output_field = TextField()

    def __init__(self, column: str, *, sql: str):
        super().__init__(F(column), template=sql.replace("%", "%%").replace("{c}", "%(expressions)s"))


# ``extra`` when every exported customer's is {} (written as nothing). EXTRA_SQL's subquery keeps PostgreSQL from
# computing the columns in parallel workers (a subquery per row is parallel-restricted); without it the export
# runs on every core: 5 s against 7 s for a million customers.
NO_EXTRA_SQL = "NULL::text"


def _csv_text_sql(model, lookup: str, *, extras: bool = True) -> str | None:
    """How the column behind ``lookup`` becomes text, or None when PostgreSQL's own (integers) is right;
    without ``extras``, ``extra`` is {} in every row."""
    field = model._meta.get_field(lookup.split("__")[0])
    if lookup.endswith("__username") or field.get_internal_type() in ("CharField", "TextField"):
        return TEXT_SQL
    for kind, sql in ((BooleanField, BOOLEAN_SQL), (DateTimeField, DATETIME_SQL), (DateField, DATE_SQL)):
        if isinstance(field, kind):
            return sql
    if isinstance(field, JSONField):
        return EXTRA_SQL if extras else NO_EXTRA_SQL
    return None


def copy_select(queryset: QuerySet, *, columns=COLUMNS, extras: bool = True) -> tuple[str, tuple]:
    """The COPY statement (and its parameters) writing ``columns`` of ``queryset`` as CSV, in its order;
    ``extras`` False: no row has extra attributes (``extra`` is {} in each)."""
    expressions = {}
    for position, (_, lookup) in enumerate(columns):
        sql = _csv_text_sql(queryset.model, lookup, extras=extras)
        expressions[f"csv_{position}"] = ColumnAsCsvText(lookup, sql=sql) if sql else F(lookup)
    rows = queryset.annotate(**expressions).values_list(*expressions)
    select, params = rows.query.get_compiler(using=rows.db).as_sql()
    return f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", tuple(params)


def copy_csv_chunks(
    queryset: QuerySet, *, columns=COLUMNS, rows_per_chunk: int = CSV_ROWS_PER_CHUNK * 4
) -> Iterator[bytes]:
    """The same bytes as ``csv_chunks(export_rows(queryset))``, written by PostgreSQL's COPY."""
    yield csv_header(tuple(header for header, _ in columns))
    connection = connections[queryset.db]
    outermost = not connection.in_atomic_block
    # JIT compiling the long select list costs more than it saves; DateStyle ISO is what DATE_SQL reads.
    with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
        if outermost:
            # One snapshot for the look for extra attributes and the COPY: a customer given some in between
            # would be written without them.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # 0.3 s for a million customers without any
        extras = any(lookup == "extra" for _, lookup in columns) and queryset.exclude(extra={}).exists()
        statement, params = copy_select(queryset, columns=columns, extras=extras)
        cursor.execute("SELECT set_config('jit', 'off', true), set_config('DateStyle', 'ISO', true)")
        # COPY takes no server-side parameters, and Django's debug cursor (DEBUG) passes none on.
        statement = psycopg.ClientCursor(cursor.connection).mogrify(statement, params)
        # A large export reads the customers in the table's order and sorts them. Through the list's index (the
        # planner's choice: it counts on the table being in memory) it reads a million table rows in the order
        # of their names, each page many times over: 2.1 to 2.7 times the floor's bare COPY by id on the 1M
        # base where the table is not in memory, against 1.7 to 2.1 times sorted (docs/benchmarks.md).
        large = (customer_count_estimate(queryset) or 0) >= SORTED_READ_FROM
        # Leaving early (the client went away) raises GeneratorExit in this block, on which
        # psycopg cancels the COPY, so the connection takes new queries.
        with planner_method_off("indexscan") if large else contextlib.nullcontext(), cursor.copy(statement) as copy:
            batch = []
            for row in copy:
                batch.append(row[:-1])  # one row per message, ending in "\n"
                if len(batch) == rows_per_chunk:
                    yield b"\r\n".join(batch) + b"\r\n"
                    batch = []
            if batch:
                yield b"\r\n".join(batch) + b"\r\n"


def uses_copy(queryset: QuerySet) -> bool:
    """Whether the CSV export of ``queryset`` is written by COPY: on PostgreSQL, not on SQLite (make run)."""
    return connections[queryset.db].vendor == "postgresql"


def csv_export_chunks(queryset: QuerySet) -> Iterator[bytes]:
    """The customers' CSV export of ``queryset``: by COPY where the database has it, else in Python."""
    if uses_copy(queryset):
        return copy_csv_chunks(queryset)
    return csv_chunks(export_rows(queryset))
