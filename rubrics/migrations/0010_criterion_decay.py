from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rubrics", "0009_score_copies_of_unified_spellings"),
    ]

    operations = [
        migrations.AddField(
            model_name="criterion",
            name="decay",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
