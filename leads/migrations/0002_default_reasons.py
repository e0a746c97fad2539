from django.db import migrations

REASONS = [
    ("Wrong size", False),
    ("No budget", False),
    ("Bad timing", False),
    ("Competitor", False),
    ("Not reachable", False),
    ("Other", True),
]


def add_reasons(apps, schema_editor):
    reason = apps.get_model("leads", "DisqualificationReason")
    for position, (label, needs_note) in enumerate(REASONS):
        reason.objects.get_or_create(label=label, defaults={"needs_note": needs_note, "position": position})


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]

    operations = [migrations.RunPython(add_reasons, migrations.RunPython.noop)]
