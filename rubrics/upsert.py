"""The statements that store a range of computed scores: the qualification history, then the guarded upsert,
counting the rows written and the scores that moved.

``scores_write`` (services/scores.py) gives them the SELECT of the computed scores; on
PostgreSQL they are one statement (the scores computed once in a CTE), on
SQLite, which has no writing CTEs, three. A publish on PostgreSQL writes with
``score_fill_statement`` instead, into a table of its own (score_tables.py,
which compares it with the stored scores once, at the end, with
``changes_select`` and ``moved_count``).
"""

import datetime
from typing import NamedTuple

from django.db import connection

from .models import QualificationChange, RubricVersion, Score

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


class Statement(NamedTuple):
    sql: str
    params: list
    counts: str = ""  # what its result says: "" nothing, "written" (its row count), "moved", "written moved"


def score_statements(
    select_sql: str, select_params: list, version: RubricVersion, now: datetime.datetime, low_id: int, high_id: int
) -> list[Statement]:
    """The statements writing the scores ``select_sql`` computes, and counting the rows written and the scores
    whose total or qualification moved (a first score included)."""
    if connection.vendor == "postgresql":
        return [_postgresql_statement(select_sql, select_params, version, now, low_id, high_id)]
    return _sqlite_statements(select_sql, select_params, version, now, low_id, high_id)


def _names():
    quote = connection.ops.quote_name
    return quote(Score._meta.db_table), quote(QualificationChange._meta.db_table)


def _compared_select(computed: str, version: RubricVersion, low_id: int, high_id: int) -> tuple[str, list]:
    """Each computed score beside the stored one, if any. The old scores are bounded to the range, so the
    join reads them through the (customer, rubric) index instead of the whole table."""
    score_table, _ = _names()
    sql = (
        "SELECT s.id, s.total, s.qualified, old.id IS NULL AS is_new, old.qualified AS was_qualified,"
        f" old.total AS was_total FROM {computed} AS s"
        f" LEFT JOIN {score_table} AS old ON old.customer_id = s.id AND old.rubric_id = %s"
        " AND old.customer_id BETWEEN %s AND %s"
    )
    return sql, [version.rubric_id, low_id, high_id]


def changes_select(compared: str, version: RubricVersion, now: datetime.datetime) -> tuple[str, list]:
    """The scores whose qualification changes (or a first score that qualifies)."""
    sql = (
        f"SELECT c.id, %s, %s, c.was_qualified, c.qualified, c.total, %s FROM {compared} AS c"
        " WHERE (c.is_new AND c.qualified) OR (NOT c.is_new AND c.was_qualified <> c.qualified)"
        # In customer order, whatever plan the database picks: the history (and the webhooks that send it)
        # reads the changes by id.
        " ORDER BY c.id"
    )
    return sql, [version.rubric_id, version.pk, now]


def moved_count(compared: str, distinct: str) -> str:
    """How many scores move: a first score, or a total or qualification that differs from the stored one
    (a score that only takes the new version, or a new breakdown of the same total, does not count)."""
    return f"SELECT count(*) FROM {compared} AS c WHERE {moved_condition('c', distinct)}"


def moved_condition(alias: str, distinct: str) -> str:
    """Whether the compared score ``alias`` moves (see moved_count)."""
    return (
        f"{alias}.is_new OR {alias}.was_total {distinct} {alias}.total"
        f" OR {alias}.was_qualified {distinct} {alias}.qualified"
    )


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


def _postgresql_statement(select_sql, select_params, version, now, low_id, high_id) -> Statement:
    """One statement: the scores computed once (a CTE) and compared once with the stored ones; the history,
    the upsert and the counts from them."""
    _, change_table = _names()
    compared_sql, compared_params = _compared_select("computed", version, low_id, high_id)
    changes_sql, changes_params = changes_select("compared", version, now)
    upsert_sql, upsert_params = _upsert("computed", version, now, "IS DISTINCT FROM")
    sql = (
        f"WITH computed AS MATERIALIZED ({select_sql}),"
        f" compared AS MATERIALIZED ({compared_sql}),"
        f" history AS (INSERT INTO {change_table} {_change_columns()} {changes_sql}),"
        f" written AS ({upsert_sql} RETURNING 1)"
        f" SELECT (SELECT count(*) FROM written), ({moved_count('compared', 'IS DISTINCT FROM')})"
    )
    return Statement(sql, [*select_params, *compared_params, *changes_params, *upsert_params], "written moved")


def _sqlite_statements(select_sql, select_params, version, now, low_id, high_id) -> list[Statement]:
    """SQLite has no writing CTEs: the history and the count first (they read the old scores), then the upsert."""
    _, change_table = _names()
    compared_sql, compared_params = _compared_select(f"({select_sql})", version, low_id, high_id)
    compared = f"({compared_sql})"
    changes_sql, changes_params = changes_select(compared, version, now)
    upsert_sql, upsert_params = _upsert(f"({select_sql})", version, now, "IS NOT")
    return [
        Statement(
            f"INSERT INTO {change_table} {_change_columns()} {changes_sql}",
            [*changes_params, *select_params, *compared_params],
        ),
        Statement(moved_count(compared, "IS NOT"), [*select_params, *compared_params], "moved"),
        Statement(upsert_sql, [*upsert_params, *select_params], "written"),
    ]


def score_fill_statement(
    select_sql: str, select_params: list, version: RubricVersion, now: datetime.datetime, table: str
) -> Statement:
    """The statement adding the scores ``select_sql`` computes to a publish's own table (score_tables.py): no
    index, no stored score to compare with, so a plain INSERT; the history and counts come at the switch."""
    columns = ", ".join(WRITTEN_COLUMNS)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(table)} (customer_id, rubric_id, version_id, {columns}, scored_at)"
        f" SELECT s.id, %s, %s, {', '.join(f's.{c}' for c in WRITTEN_COLUMNS)}, %s FROM ({select_sql}) AS s"
    )
    return Statement(sql, [version.rubric_id, version.pk, now, *select_params], "written")
