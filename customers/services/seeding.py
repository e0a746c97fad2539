"""Filling the customer base wholesale, for demo data and benchmarks: plain rows inserted fast (COPY on
PostgreSQL), the deterministic demo base, and clearing the base. Nothing here records a change."""

from collections.abc import Iterable
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

from ..bulk import indexes_deferred
from ..demo import DEMO_COLUMNS, demo_customer_rows
from ..models import CategorySpelling, Customer

INSERT_BATCH = 10_000


def customer_bulk_insert(*, rows: Iterable[tuple], columns: tuple[str, ...]) -> int:
    """Insert plain rows in batches: COPY on PostgreSQL, executemany elsewhere.

    Both timestamps are set to now. Returns the number of rows inserted. For
    demo data and benchmarks: it records no change history.
    """
    table = connection.ops.quote_name(Customer._meta.db_table)
    all_columns = (*columns, "created_at", "updated_at")
    column_list = ", ".join(connection.ops.quote_name(column) for column in all_columns)
    now = timezone.now()
    inserted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, now, now))
                    inserted += 1
            return inserted
        placeholders = ", ".join(["%s"] * len(all_columns))
        sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"
        rows = iter(rows)
        while batch := [(*row, now, now) for row in islice(rows, INSERT_BATCH)]:
            cursor.executemany(sql, batch)
            inserted += len(batch)
    return inserted


@transaction.atomic
def customer_demo_seed(*, count: int, seed: int, owner_ids: list[int]) -> int:
    """Replace the whole customer base with ``count`` deterministic demo customers."""
    if count < 0:
        raise ValueError("The number of customers cannot be negative.")
    customer_base_clear()
    with indexes_deferred(Customer):
        return customer_bulk_insert(rows=demo_customer_rows(count, seed, owner_ids), columns=DEMO_COLUMNS)


def customer_base_clear() -> None:
    """Delete the whole customer base with everything that points at it (scores, history), and the spellings
    its category values had (the next base brings its own).

    For reloading demo data and benchmarks only: nothing is recorded.
    """
    CategorySpelling.objects.all().delete()
    table = connection.ops.quote_name(Customer._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Checks of deferred foreign keys still pending in this transaction would block TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
        else:
            # No TRUNCATE ... CASCADE here: empty the tables that point at customers first.
            for relation in Customer._meta.related_objects:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(relation.related_model._meta.db_table)}")
            cursor.execute(f"DELETE FROM {table}")
