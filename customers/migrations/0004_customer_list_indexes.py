"""Indexes for the customer list on PostgreSQL: its search and its "largest first" orders.

- The search matches UPPER(name) and UPPER(domain) with LIKE '%...%' (Django's
  icontains); a GIN trigram index on the same expressions finds the matches
  without reading the whole table (1M rows: ~10-50 ms instead of 0.3-3 s).
- "Employees, most first" and "Annual revenue, highest first" put unknown
  values last (DESC NULLS LAST), which a plain (employees, id) index cannot
  serve; these indexes make a first page ~1 ms instead of ~0.5 s.

SQLite has neither trigram indexes nor NULLS LAST in an index: there the
migration does nothing, which is fine at the sizes SQLite serves.
"""

from django.db import migrations

INDEXES = {
    "customer_name_trgm_idx": "name",
    "customer_domain_trgm_idx": "domain",
}


ORDER_INDEXES = {
    "customer_employees_desc_idx": "employees",
    "customer_revenue_desc_idx": "annual_revenue",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for index, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}" ON "customers_customer" USING gin (UPPER("{column}") gin_trgm_ops)'
        )
    for index, column in ORDER_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}" ON "customers_customer" ("{column}" DESC NULLS LAST, "id")'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in (*INDEXES, *ORDER_INDEXES):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_imports")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
