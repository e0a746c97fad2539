"""The scores' rubric and version keys are no longer checked by the database (Score's comment says why)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rubrics", "0013_score_partitioned_by_rubric"),
    ]

    operations = [
        migrations.AlterField(
            model_name="score",
            name="rubric",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="scores",
                to="rubrics.rubric",
            ),
        ),
        migrations.AlterField(
            model_name="score",
            name="version",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rubrics.rubricversion",
            ),
        ),
    ]
