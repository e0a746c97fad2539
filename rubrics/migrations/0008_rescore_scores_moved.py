from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rubrics", "0007_version_backtest_publish_reason"),
    ]

    operations = [
        # Jobs counted before stay unknown (null); new ones start at 0.
        migrations.AddField(
            model_name="rescorejob",
            name="scores_moved",
            field=models.PositiveIntegerField(
                blank=True, null=True, help_text="Scores whose total or qualification moved; unknown for older jobs."
            ),
        ),
        migrations.AlterField(
            model_name="rescorejob",
            name="scores_moved",
            field=models.PositiveIntegerField(
                blank=True,
                default=0,
                null=True,
                help_text="Scores whose total or qualification moved; unknown for older jobs.",
            ),
        ),
        migrations.AlterField(
            model_name="rescorejob",
            name="rows_changed",
            field=models.PositiveIntegerField(default=0, help_text="Scores written: any difference, the version too."),
        ),
        migrations.AddField(
            model_name="rescorechunk",
            name="scores_moved",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
