"""The qualification history without indexes of its own on customer and rubric (QualificationChange says why)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0009_unify_category_spellings"),
        ("rubrics", "0014_score_keys_checked_by_partition"),
    ]

    operations = [
        migrations.AlterField(
            model_name="qualificationchange",
            name="customer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="qualification_changes",
                to="customers.customer",
            ),
        ),
        migrations.AlterField(
            model_name="qualificationchange",
            name="rubric",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="qualification_changes",
                to="rubrics.rubric",
            ),
        ),
    ]
