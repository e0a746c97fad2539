"""Writing scores: a range of customers' scores by a version, the copies of their fields, and the statistics
the planner reads afterwards. The SQL that computes them is compile.py's; this writes it."""

from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from customers.models import Customer
from ops.planner import wide_expression_planning

from .. import scoring
from ..compile import id_ranges, scored_sql
from ..models import QualificationChange, RubricVersion, Score
from ..upsert import COPIED_COLUMNS, score_fill_statement, score_statements


class ScoresWritten(NamedTuple):
    written: int  # rows stored: a first score, or any difference (version, total, breakdown, copied fields)
    moved: int  # of those, scores whose total or qualification moved (a first score included)


def scores_write(
    *, version: RubricVersion, spec: scoring.Rubric, low_id: int, high_id: int, customer_ids: list[int] | None = None
) -> int:
    """Store the version's scores of customers low_id..high_id; return how many rows changed (scores_write_counted)."""
    return scores_write_counted(
        version=version, spec=spec, low_id=low_id, high_id=high_id, customer_ids=customer_ids
    ).written


def scores_write_counted(
    *, version: RubricVersion, spec: scoring.Rubric, low_id: int, high_id: int, customer_ids: list[int] | None = None
) -> ScoresWritten:
    """Store the version's scores of customers low_id..high_id (only those of ``customer_ids`` among them, when
    given: scattered customers in one statement); return the rows written and the scores that moved.

    1. compute every score in the database from the compiled rubric;
    2. record a QualificationChange where the qualified flag changes (or a first score qualifies);
    3. count the scores whose total or qualification moves, against the stored ones;
    4. upsert the scores with copies of the customer's fields the lead list filters by, writing
       only rows whose version, numbers or copies differ, so running it twice (or on an unchanged
       rubric and customer) writes nothing.
    """
    customers = Customer.objects.filter(pk__gte=low_id, pk__lte=high_id)
    if customer_ids is not None:
        customers = customers.filter(pk__in=customer_ids)
    select_sql, select_params = scored_sql(spec, customers)
    now = timezone.now()
    written = moved = 0
    with wide_expression_planning(), connection.cursor() as cursor:
        for statement in score_statements(select_sql, select_params, version, now, low_id, high_id):
            cursor.execute(statement.sql, statement.params)
            if statement.counts == "written moved":
                written, moved = cursor.fetchone()
            elif statement.counts == "moved":
                (moved,) = cursor.fetchone()
            elif statement.counts == "written":
                written = cursor.rowcount
    return ScoresWritten(written=written, moved=moved)


def scores_fill(*, version: RubricVersion, spec: scoring.Rubric, low_id: int, high_id: int, table: str) -> int:
    """Add the version's scores of customers low_id..high_id to a publish's own table (score_tables.py); return
    the rows added. The history and the moved scores are counted when the table is switched in."""
    select_sql, select_params = scored_sql(spec, Customer.objects.filter(pk__gte=low_id, pk__lte=high_id))
    statement = score_fill_statement(select_sql, select_params, version, timezone.now(), table)
    with wide_expression_planning(), connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        return cursor.rowcount


def customers_lock_for_scoring(*, low_id: int, high_id: int, customer_ids: list[int] | None = None) -> None:
    """Lock customers low_id..high_id for the rest of the transaction as a score's foreign key does (FOR KEY
    SHARE), but before their scores are computed: a customer being deleted is waited for, then not scored,
    and a delete waits for the scores written meanwhile, then deletes them too. PostgreSQL only (SQLite has
    one writer at a time)."""
    if connection.vendor != "postgresql":
        return
    customer_table = connection.ops.quote_name(Customer._meta.db_table)
    with connection.cursor() as cursor:
        if customer_ids is not None:
            cursor.execute(
                f"SELECT id FROM {customer_table} WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE", [sorted(customer_ids)]
            )
            return
        cursor.execute(
            f"SELECT id FROM {customer_table} WHERE id BETWEEN %s AND %s ORDER BY id FOR KEY SHARE", [low_id, high_id]
        )


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


def score_statistics_refresh(*, scores: bool = True) -> None:
    """ANALYZE the score tables after a bulk (re-)score, so the lead list's plans see the new rows at once
    (autovacuum may be off or lag behind a rewrite of a million rows); without ``scores``, the qualification
    history alone (a publish's new partition was analyzed before it was switched in). PostgreSQL only."""
    if connection.vendor != "postgresql":
        return
    models = (Score, QualificationChange) if scores else (QualificationChange,)
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
