from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rubrics", "0010_rubric_audience_and_stage_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="criterion",
            name="decay",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
