"""Scores partitioned by rubric on PostgreSQL (rubrics/score_tables.py), and the table a re-score job fills.

The table keeps its name, columns, indexes and constraints; the primary key becomes (id, rubric) and the ids
come from a sequence (PostgreSQL 15 has no identity column on a partitioned table), so Django sees the same
model. Each rubric gets its partition and the rows move there (about 40 s for a million scores). SQLite keeps
its plain table.
"""

from django.db import migrations, models

TABLE = "rubrics_score"
OLD = "rubrics_score_unpartitioned"


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE])
        if cursor.fetchone()[0] == "p":
            return  # partitioned already: migrated back (the reverse leaves it so) and forward again
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid)",
            [TABLE],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
            " ORDER BY contype DESC, conname",
            [TABLE],
        )
        constraints = cursor.fetchall()
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {TABLE}")
        (last_id,) = cursor.fetchone()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for name, _, _ in constraints:
            cursor.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id DROP IDENTITY IF EXISTS")
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {OLD}) PARTITION BY LIST (rubric_id)")
        cursor.execute(f"CREATE SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
        if last_id:
            cursor.execute(f"SELECT setval('{TABLE}_id_seq', %s)", [last_id])
        for name, kind, definition in constraints:
            if kind == "p":
                definition = "PRIMARY KEY (id, rubric_id)"  # a partitioned table's keys include its partition key
            cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SELECT id FROM rubrics_rubric ORDER BY id")
        for (rubric_id,) in cursor.fetchall():
            cursor.execute(f"CREATE TABLE {TABLE}_r{rubric_id} PARTITION OF {TABLE} FOR VALUES IN ({rubric_id})")
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
        cursor.execute(f"DROP TABLE {OLD}")


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("rubrics", "0012_lead_tab_counts_filtered"),
    ]

    operations = [
        migrations.RunPython(partition, migrations.RunPython.noop, elidable=False),
        migrations.AddField(
            model_name="rescorejob",
            name="table",
            field=models.CharField(
                blank=True,
                default="",
                max_length=63,
                help_text="The table the job's chunks fill, switched in as the rubric's partition at the end "
                "(PostgreSQL, a publish); empty: the scores are upserted in place.",
            ),
        ),
    ]
