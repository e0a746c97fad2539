from django.db import migrations

TEAMS = [
    ("marketing", "Marketing"),
    ("sales", "Sales"),
    ("customer-success", "Customer Success"),
]


def create_teams(apps, schema_editor):
    Team = apps.get_model("teams", "Team")
    for slug, name in TEAMS:
        Team.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial")]

    operations = [migrations.RunPython(create_teams, migrations.RunPython.noop)]
