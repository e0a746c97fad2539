"""Existing customers take one spelling per category value (industry, country, region): the spelling stored first
(lowest id) among those that read the same once spaces are removed and case is folded. Each rewrite is recorded
in the customer's history; every spelling is registered (CategorySpelling), so later writes follow it."""

from django.db import migrations
from django.db.models import Min
from django.utils import timezone

FIELDS = ("industry", "country", "region")
BATCH = 2_000


def _key(text):
    return "".join(text.split()).casefold()


def _tidy(text):
    return " ".join(text.split())


def unify(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    CustomerChange = apps.get_model("customers", "CustomerChange")
    CategorySpelling = apps.get_model("customers", "CategorySpelling")
    now = timezone.now()
    for field in FIELDS:
        firsts = (
            Customer.objects.exclude(**{field: ""})
            .order_by()
            .values_list(field)
            .annotate(first=Min("id"))
            .order_by("first")
        )
        canonical = {}
        renames = {}
        for spelling, _ in firsts:
            key = _key(spelling)
            canonical.setdefault(key, _tidy(spelling))
            if spelling != canonical[key]:
                renames[spelling] = canonical[key]
        CategorySpelling.objects.bulk_create(
            [CategorySpelling(field=field, key=key, spelling=spelling) for key, spelling in canonical.items()],
            ignore_conflicts=True,
        )
        for old, new in renames.items():
            rows = list(Customer.objects.filter(**{field: old}).values_list("id", "external_id", "name"))
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                CustomerChange.objects.bulk_create(
                    CustomerChange(
                        customer_id=pk,
                        external_id=external_id,
                        customer_name=name,
                        action="updated",
                        source="system",
                        source_ref=f"{field} spellings unified",
                        changes={field: [old, new]},
                    )
                    for pk, external_id, name in chunk
                )
                Customer.objects.filter(pk__in=[pk for pk, _, _ in chunk]).update(**{field: new, "updated_at": now})


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0008_category_spellings"),
    ]

    operations = [migrations.RunPython(unify, migrations.RunPython.noop)]
