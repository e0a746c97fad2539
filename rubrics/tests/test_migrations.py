"""Scores stored before the score table was partitioned by rubric are all there after, each in its rubric's
partition, and the table takes new ones as before."""

import pytest
from django.db import IntegrityError, connection, transaction

from tests.support import migrate_to, migrate_to_latest

BEFORE = [("rubrics", "0012_lead_tab_counts_filtered")]


def _partitions() -> dict[str, int]:
    """Each partition's name and its number of rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text, count(*) FROM rubrics_score GROUP BY 1")
        return dict(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_the_scores_move_to_their_rubrics_partitions_and_back():
    if connection.vendor != "postgresql":
        pytest.skip("scores are partitioned on PostgreSQL only: run with DATABASE_URL (PostgreSQL)")
    old = migrate_to(BEFORE)
    Customer, Score = old.get_model("customers", "Customer"), old.get_model("rubrics", "Score")
    profile = old.get_model("profiles", "Profile").objects.create(name="Profile")
    rubrics = [old.get_model("rubrics", "Rubric").objects.create(profile=profile, name=name) for name in ("A", "B")]
    versions = [
        old.get_model("rubrics", "RubricVersion").objects.create(
            rubric=rubric, number=1, status="published", threshold=1
        )
        for rubric in rubrics
    ]
    customers = [Customer.objects.create(external_id=f"C-{n}", name=f"Customer {n}") for n in range(3)]
    common = {"fit": 0, "engagement": 0, "qualitative": 0, "matched": 0, "no_data": 0, "scored_at": "2026-12-01T00:00Z"}
    for customer in customers:
        for number, (rubric, version) in enumerate(zip(rubrics, versions, strict=True)):
            Score.objects.create(
                customer=customer, rubric=rubric, version=version, total=number, qualified=bool(number), **common
            )
    before = sorted(Score.objects.values_list("id", "customer_id", "rubric_id", "total", "qualified"))

    new = migrate_to_latest()

    Score = new.get_model("rubrics", "Score")
    assert sorted(Score.objects.values_list("id", "customer_id", "rubric_id", "total", "qualified")) == before
    assert _partitions() == {f"rubrics_score_r{rubrics[0].pk}": 3, f"rubrics_score_r{rubrics[1].pk}": 3}
    fourth = new.get_model("customers", "Customer").objects.create(external_id="C-3", name="Customer 3")
    added = Score.objects.create(
        customer=fourth, rubric_id=rubrics[0].pk, version_id=versions[0].pk, total=5, qualified=True, **common
    )
    assert added.pk > max(row[0] for row in before), "the ids go on from the last one"
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(
            customer=fourth, rubric_id=rubrics[0].pk, version_id=versions[0].pk, total=1, qualified=False, **common
        )

    back = migrate_to(BEFORE)

    Score = back.get_model("rubrics", "Score")
    assert len(before) + 1 == Score.objects.count()
    assert _partitions() == {"rubrics_score": 7}, "one plain table again"
    migrate_to_latest()
