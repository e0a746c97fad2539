"""The statements that store a range of computed scores: the qualification history, then the guarded upsert.

``scores_write`` (services/scores.py) gives them the SELECT of the computed scores; on
PostgreSQL they are one statement (the scores computed once in a CTE), on
SQLite, which has no writing CTEs, two.
"""

import datetime

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


def score_statements(
    select_sql: str, select_params: list, version: RubricVersion, now: datetime.datetime, low_id: int, high_id: int
) -> list[tuple[str, list]]:
    """The statements writing the scores ``select_sql`` computes (the last one's row count is the rows written)."""
    if connection.vendor == "postgresql":
        return [_postgresql_statement(select_sql, select_params, version, now, low_id, high_id)]
    return _sqlite_statements(select_sql, select_params, version, now, low_id, high_id)


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
        # In customer order, whatever plan the database picks: the history (and the webhooks that send it)
        # reads the changes by id.
        " ORDER BY s.id"
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


def _postgresql_statement(select_sql, select_params, version, now, low_id, high_id) -> tuple[str, list]:
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
