"""The lead list's tab counts read each stage and owner's leads newest customer first (see Score.Meta.indexes)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0009_unify_category_spellings"),
        ("rubrics", "0015_history_without_redundant_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="score",
            name="score_lead_stage_idx",
        ),
        migrations.AddIndex(
            model_name="score",
            index=models.Index(
                condition=models.Q(("qualified", True)),
                fields=["rubric", "stage", "owner", "-customer"],
                include=("total", "engagement", "industry", "country", "region"),
                name="score_lead_stage_idx",
            ),
        ),
    ]
