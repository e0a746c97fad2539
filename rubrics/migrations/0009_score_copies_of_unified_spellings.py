"""The scores' copies of their customers' industry, country and region follow the one spelling each value now has
(customers 0009): the lead list filters on the copies."""

from django.db import migrations

COLUMNS = ("industry", "country", "region")


def refresh(apps, schema_editor):
    connection = schema_editor.connection
    score = connection.ops.quote_name(apps.get_model("rubrics", "Score")._meta.db_table)
    customer = connection.ops.quote_name(apps.get_model("customers", "Customer")._meta.db_table)
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    assignments = ", ".join(f"{column} = c.{column}" for column in COLUMNS)
    changed = " OR ".join(f"{score}.{column} {distinct} c.{column}" for column in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {score} SET {assignments} FROM {customer} AS c WHERE c.id = {score}.customer_id AND ({changed})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("rubrics", "0008_rescore_scores_moved"),
        ("customers", "0009_unify_category_spellings"),
    ]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
