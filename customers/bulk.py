"""Inserting many model objects fast: one COPY on PostgreSQL, bulk_create elsewhere.

Django's bulk_create spends most of its time preparing parameters; COPY takes
the values as they are. Primary keys are reserved from the table's sequence
first, so the objects know their ids afterwards, as with bulk_create.
"""

from contextlib import contextmanager

from django.db import connection, models
from psycopg.types.json import Jsonb


def objects_insert(model: type[models.Model], objects: list[models.Model]) -> None:
    """Insert ``objects`` (all new) and set their primary keys and auto_now(_add) timestamps."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects)
        return
    fields = model._meta.concrete_fields
    stamped = [field for field in fields if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)]
    for obj, pk in zip(objects, _reserve_ids(model, len(objects)), strict=True):
        obj.pk = pk
        for field in stamped:
            field.pre_save(obj, add=True)
        obj._state.adding = False
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    as_json = [isinstance(field, models.JSONField) for field in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            values = [getattr(obj, field.attname) for field in fields]
            copy.write_row([Jsonb(value) if json else value for value, json in zip(values, as_json, strict=True)])


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
        )
        return [row[0] for row in cursor.fetchall()]


@contextmanager
def indexes_deferred(model: type[models.Model]):
    """Drop a table's secondary indexes for a bulk load and build each once afterwards (PostgreSQL).

    Keeping a dozen indexes (two of them trigram GIN) up to date row by row
    makes loading a million rows several times slower than building them once.
    Unique and primary key indexes stay, so the load is still checked. Run it
    inside a transaction: a failed load leaves every index in place. The
    table is analysed afterwards, so the planner knows its new size.
    """
    if connection.vendor != "postgresql":
        yield
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT index.relname, pg_get_indexdef(index.oid) FROM pg_index"
            " JOIN pg_class index ON index.oid = pg_index.indexrelid"
            " WHERE pg_index.indrelid = %s::regclass AND NOT pg_index.indisunique AND NOT pg_index.indisprimary",
            [table],
        )
        definitions = cursor.fetchall()
        for name, _ in definitions:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _, definition in definitions:
            cursor.execute(definition)
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
