"""The customer imports and the feedback answer imports made before the shared framework survive its migration."""

import datetime

import pytest

from tests.support import migrate_to, migrate_to_latest

BEFORE = [("customers", "0005_customer_sentiment"), ("feedback", "0002_response_sentiment_todo_index")]
WHEN = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)


@pytest.mark.django_db(transaction=True)
def test_the_imports_of_both_tables_move_into_the_shared_one_with_their_answers_references():
    old = migrate_to([("imports", None), *BEFORE])
    customer = old.get_model("customers", "Customer").objects.create(external_id="C-1", name="Alpha")
    customer_job = old.get_model("customers", "ImportJob").objects.create(
        pk=41, original_name="crm.csv", file="imports/crm.csv", mapping={"Record ID": "external_id"}, status="done"
    )
    answers = old.get_model("feedback", "FeedbackImport").objects.create(
        original_name="nps.csv", file="feedback-imports/nps.csv", columns={"NPS": "score"}, status="checked"
    )
    for model in (old.get_model("customers", "ImportJob"), old.get_model("feedback", "FeedbackImport")):
        model.objects.update(created_at=WHEN)
    old.get_model("feedback", "Response").objects.create(
        customer=customer, score=9, source="import", source_ref=f"feedback import {answers.pk}", answered_at=WHEN
    )

    new = migrate_to_latest()

    jobs = {job.kind: job for job in new.get_model("imports", "ImportJob").objects.all()}
    assert (jobs["customers"].pk, jobs["customers"].status) == (customer_job.pk, "done")
    assert jobs["customers"].mapping == {"Record ID": "external_id"}
    assert jobs["feedback-answers"].status == "analysed"  # "checked" was the feedback import's word for it
    assert jobs["feedback-answers"].mapping == {"NPS": "score"}
    assert {job.created_at for job in jobs.values()} == {WHEN}
    assert jobs["feedback-answers"].pk > customer_job.pk  # numbered after the customer imports, as new ones are
    response = new.get_model("feedback", "Response").objects.get()
    assert response.source_ref == f"feedback import {jobs['feedback-answers'].pk}"
    created = new.get_model("imports", "ImportJob").objects.create(kind="customers", original_name="next.csv")
    assert created.pk > jobs["feedback-answers"].pk
