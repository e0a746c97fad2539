"""The score table's partitions on PostgreSQL: one per rubric, and a publish's scores written as a new table that
takes the place of the rubric's partition in one step.

``rubrics_score`` is partitioned by rubric (migration 0013): every reader asks by rubric, so it reads one
partition, and the unique (customer, rubric) key is the same. A rubric gets its partition when it is created
(``score_partition_ensure``). A publish's re-score fills a table of its own with no index (``score_table_create``,
then ``upsert.score_fill_statement`` chunk by chunk), builds the parent's indexes on it once the fill is done
(``score_table_index``), and ``score_table_switch`` puts it in the old partition's place. What is written and
read meanwhile goes to the attached partition, as before. SQLite has one plain table: there none of this runs
and every re-score is the upsert.

Table names: a rubric's first partition is ``rubrics_score_r<rubric id>``; a job's table ``rubrics_score_j<job
id>``, which stays its name once attached. ``services.rescoring.score_tables_sweep`` drops the tables nothing
uses any more.
"""

import re
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from customers.models import Customer
from ops.locks import lock_wait_limit
from ops.planner import planner_method_off, wide_expression_planning

from .models import QualificationChange, RubricVersion, Score
from .upsert import COPIED_COLUMNS, WRITTEN_COLUMNS, changes_select, moved_condition

PARENT = Score._meta.db_table
TABLE_NAME = re.compile(rf"^{PARENT}_[rj][0-9]+$")
INDEX_BUILD_MEMORY = "256MB"  # each index build's sort memory (PostgreSQL's default is 64MB)
SWITCH_LOCK_TIMEOUT = "2s"  # the switch's wait for the lead list's readers to let go of the parent (then retried)
COLUMNS = ("id", "customer_id", "rubric_id", "version_id", *WRITTEN_COLUMNS, "scored_at")


def partitioned() -> bool:
    return connection.vendor == "postgresql"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def job_table_name(job_id: int) -> str:
    return f"{PARENT}_j{job_id}"


def rubric_partition(rubric_id: int) -> str | None:
    """The name of the table attached as the rubric's partition, if any."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = %s::regclass AND pg_get_expr(c.relpartbound, c.oid) = %s",
            [PARENT, f"FOR VALUES IN ('{int(rubric_id)}')"],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _bare_table_create(cursor, name: str, rubric_id: int) -> None:
    """A table shaped like the parent (its defaults: the ids' sequence), no index, only the rubric's rows."""
    cursor.execute(f"DROP TABLE IF EXISTS {_quote(name)}")
    cursor.execute(
        f"CREATE TABLE {_quote(name)} (LIKE {_quote(PARENT)} INCLUDING DEFAULTS, CHECK (rubric_id = {int(rubric_id)}))"
    )


def _attach(cursor, name: str, rubric_id: int) -> None:
    # SHARE UPDATE EXCLUSIVE on the parent: readers and writers go on. The parent's indexes found on the table
    # are taken as its partition's; missing ones are built. The foreign keys are checked here.
    cursor.execute(f"ALTER TABLE {_quote(PARENT)} ATTACH PARTITION {_quote(name)} FOR VALUES IN ({int(rubric_id)})")


def score_partition_ensure(rubric_id: int) -> None:
    """Give the rubric an empty partition if it has none (a new rubric). PostgreSQL only."""
    if not partitioned() or rubric_partition(rubric_id):
        return
    name = f"{PARENT}_r{int(rubric_id)}"
    with connection.cursor() as cursor:
        _bare_table_create(cursor, name, rubric_id)
        _attach(cursor, name, rubric_id)


def score_table_create(*, job_id: int, rubric_id: int) -> str:
    """The empty table a job's chunks fill (dropped first if a job of that id left one behind)."""
    name = job_table_name(job_id)
    with connection.cursor() as cursor:
        _bare_table_create(cursor, name, rubric_id)
    return name


def _parent_indexes(cursor) -> list[tuple[str, str, str | None, str | None]]:
    """The parent's indexes: (name, definition, constraint name, constraint definition), in a stable order."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), con.conname, pg_get_constraintdef(con.oid)"
        " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid"
        " WHERE i.indrelid = %s::regclass ORDER BY c.relname",
        [PARENT],
    )
    return cursor.fetchall()


def score_table_vacuum(name: str) -> None:
    """Mark a filled job table's pages all-visible and give it the planner's statistics (VACUUM (ANALYZE)),
    before its indexes are built: the lead list's index-only scans and plans are then right from the moment it
    is switched in, rather than once autovacuum has been by. Inside a transaction (a test's), where VACUUM
    cannot run, ANALYZE alone."""
    with connection.cursor() as cursor:
        cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {_quote(name)}")


def score_table_index(name: str) -> None:
    """Build the parent's indexes (its primary key and unique constraint as constraints) on a filled job table,
    each once: after a worker died midway, the ones built are skipped. Read from the catalog, so an index added
    to ``Score`` later is built here too. PostgreSQL's parallel workers build each one (building two at a time
    on connections of their own was no faster on 2 cores: 3.9 to 4.3 s for the seven on the 1M base)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass",
            [name],
        )
        built = {row[0] for row in cursor.fetchall()}
        statements = [statement for own, statement in _index_statements(cursor, name) if own not in built]
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
        for statement in statements:
            cursor.execute(statement)


def _index_statements(cursor, name: str) -> list[tuple[str, str]]:
    """(the index's name on the table, the statement building it) for each of the parent's indexes."""
    statements = []
    for index_name, definition, constraint_name, constraint_definition in _parent_indexes(cursor):
        own = f"{name}_{index_name}"[:63]
        if constraint_name:
            statements.append((own, f"ALTER TABLE {_quote(name)} ADD CONSTRAINT {_quote(own)} {constraint_definition}"))
            continue
        head = re.match(rf"CREATE (UNIQUE )?INDEX {re.escape(index_name)} ON ONLY (\S+\.)?{PARENT} ", definition)
        if head is None:
            raise ValueError(f"unexpected index definition: {definition}")
        rest = definition[head.end() :]
        statements.append((own, f"CREATE {head.group(1) or ''}INDEX {_quote(own)} ON {_quote(name)} {rest}"))
    return statements


class Switched(NamedTuple):
    written: int  # rows in the rubric's new partition
    moved: int  # scores whose total or qualification differs from the old partition's (a first score included)
    detached: str | None  # the old partition, detached: the caller drops it once committed


def score_table_switch(*, name: str, version: RubricVersion) -> Switched:
    """Put a filled, indexed job table in place of the rubric's partition, in the caller's transaction, which
    holds the rubric's scoring off (``locks.rubric_scoring_held_off``), so the attached partition does not change
    meanwhile:

    1. take over what the changed customers' path wrote by this version into the attached partition while the
       table filled (a newer row than the table's, or a customer the table has not: one created meanwhile);
    2. from the rows that path wrote, take over the copies of the customers' fields where they differ (they are
       kept current in the customer's own transaction: an owner changed after its score was, say);
    3. write the qualification history and count the moved scores: the table against the attached partition;
    4. detach the old partition and attach the table (waiting at most SWITCH_LOCK_TIMEOUT for readers); the
       attach checks the customers' foreign key: the rows of customers deleted meanwhile are then dropped.
    """
    table, old_name = _quote(name), rubric_partition(version.rubric_id)
    columns = ", ".join(COLUMNS)
    with wide_expression_planning(), connection.cursor() as cursor:
        if old_name and _written_meanwhile(cursor, _quote(old_name), version):
            old = _quote(old_name)
            # Rows by this version in the attached partition were written by the changed customers' path during
            # the fill (few): the newer of the two rows is kept, and the partition's copies, which the customer's
            # own transaction keeps current.
            cursor.execute(
                f"DELETE FROM {table} AS t USING {old} AS o WHERE o.version_id = %s AND o.customer_id = t.customer_id"
                " AND o.scored_at > t.scored_at",
                [version.pk],
            )
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {old} AS o WHERE o.version_id = %s"
                f" AND NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.customer_id = o.customer_id)",
                [version.pk],
            )
            copies = list(COPIED_COLUMNS)
            differ = " OR ".join(f"t.{c} IS DISTINCT FROM o.{c}" for c in copies)
            cursor.execute(
                f"UPDATE {table} AS t SET {', '.join(f'{c} = o.{c}' for c in copies)} FROM {old} AS o"
                f" WHERE o.version_id = %s AND o.customer_id = t.customer_id AND ({differ})",
                [version.pk],
            )
        try:
            with transaction.atomic():
                written, moved = _history_and_attach(cursor, name, old_name, version)
        except IntegrityError:
            # A customer deleted during the fill still has a row in the table (its foreign key, checked by the
            # attach, says so): those rows go, and the history and the attach are done again. Rare, so the table
            # is not searched for them every time.
            _orphans_delete(cursor, table)
            written, moved = _history_and_attach(cursor, name, old_name, version)
    return Switched(written=written, moved=moved, detached=old_name)


def _written_meanwhile(cursor, old: str, version: RubricVersion) -> bool:
    """Whether the changed customers' path wrote any row by this version into the attached partition during the
    fill: one read of it (none, mostly), rather than three statements each reading it in full."""
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {old} WHERE version_id = %s)", [version.pk])
    return cursor.fetchone()[0]


def _history_and_attach(cursor, name: str, old_name: str | None, version: RubricVersion) -> tuple[int, int]:
    # The two tables side by side in customer order, each read through its (customer, rubric) index: no hash of
    # a million rows (which took eight batches in PostgreSQL's default work_mem, and grows faster than the rows).
    with planner_method_off("hashjoin"):
        written, moved = _history_write(cursor, _quote(name), old_name, version)
    previous = lock_wait_limit(SWITCH_LOCK_TIMEOUT)
    if old_name:
        # ACCESS EXCLUSIVE on the parent until the commit: the lead list waits for this last step only.
        cursor.execute(f"ALTER TABLE {_quote(PARENT)} DETACH PARTITION {_quote(old_name)}")
    _attach(cursor, name, version.rubric_id)
    lock_wait_limit(previous)
    return written, moved


def _orphans_delete(cursor, table: str) -> int:
    customers = _quote(Customer._meta.db_table)
    cursor.execute(
        f"DELETE FROM {table} AS t WHERE NOT EXISTS (SELECT 1 FROM {customers} AS c WHERE c.id = t.customer_id)"
    )
    return cursor.rowcount


def _history_write(cursor, table: str, old_name: str | None, version: RubricVersion) -> tuple[int, int]:
    changes_table = _quote(QualificationChange._meta.db_table)
    if old_name:
        compared = (
            "SELECT t.customer_id AS id, t.total, t.qualified, o.customer_id IS NULL AS is_new,"
            f" o.qualified AS was_qualified, o.total AS was_total FROM {table} AS t"
            f" LEFT JOIN {_quote(old_name)} AS o ON o.customer_id = t.customer_id"
        )
    else:
        compared = (
            "SELECT t.customer_id AS id, t.total, t.qualified, true AS is_new, NULL::boolean AS was_qualified,"
            f" NULL::integer AS was_total FROM {table} AS t"
        )
    # Only the scores that move are kept (the history is some of them), not every score of the base: a publish
    # that moves few compares the two tables in one pass and keeps next to nothing (0.49 s against 0.79 to
    # 0.88 s for the 1M base, when every compared score was kept for the two counts).
    changes_sql, changes_params = changes_select("moved", version, timezone.now())
    cursor.execute(
        f"WITH compared AS ({compared}),"
        f" moved AS MATERIALIZED (SELECT * FROM compared AS c WHERE {moved_condition('c', 'IS DISTINCT FROM')}),"
        f" history AS (INSERT INTO {changes_table} (customer_id, rubric_id, version_id, was_qualified, qualified,"
        f" total, changed_at) {changes_sql})"
        f" SELECT (SELECT count(*) FROM {table}), (SELECT count(*) FROM moved)",
        changes_params,
    )
    written, moved = cursor.fetchone()
    return written, moved


def score_table_drop(name: str) -> bool:
    """Drop a job's table or a detached partition; an attached one (the rubric's scores) is left: False."""
    if not TABLE_NAME.match(name):
        raise ValueError(f"not a score table: {name}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(%s))", [name])
        if cursor.fetchone()[0]:
            return False
        _pending_checks_run()
        cursor.execute(f"DROP TABLE IF EXISTS {_quote(name)}")
    return True


def score_partition_drop(rubric_id: int) -> None:
    """Drop a deleted rubric's partition (its scores were deleted with it)."""
    name = rubric_partition(rubric_id) if partitioned() else None
    if name:
        _pending_checks_run()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {_quote(name)}")


def _pending_checks_run() -> None:
    """Check the foreign keys deferred to the commit now (Django's check_constraints: immediate, then deferred
    again): PostgreSQL drops no table with checks pending, as a transaction that wrote to it and drops it has."""
    connection.check_constraints()


def score_tables_unattached() -> list[str]:
    """The score tables not attached: a running job's, or left by a superseded or failed job, or detached by a
    switch whose drop did not happen (its worker died)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE %s"
            " AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid) ORDER BY c.relname",
            [f"{PARENT}\\_%"],
        )
        return [row[0] for row in cursor.fetchall() if TABLE_NAME.match(row[0])]
