"""manage.py rescore: the published versions' re-score, in-process, with its progress printed."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from customers.tests.factories import CustomerFactory
from rubrics.models import JobStatus, RescoreJob, Score
from rubrics.services.publishing import rubric_publish
from rubrics.tests.factories import rubric_with_draft, scores_by_customer

pytestmark = pytest.mark.django_db


def _published(admin, **draft):
    version = rubric_with_draft(**draft)
    rubric_publish(version=version, user=admin)  # in a test transaction: its job never starts
    return version


def test_it_rescores_every_published_rubric_and_prints_its_progress(make_person):
    customers = CustomerFactory.create_batch(2, industry="Software")
    admin = make_person("admin")
    first, second = _published(admin), _published(admin, industries=("Retail",))
    out = StringIO()

    call_command("rescore", stdout=out)

    assert scores_by_customer(first.rubric) == {customer.pk: (first.pk, 3, True) for customer in customers}
    assert scores_by_customer(second.rubric) == {customer.pk: (second.pk, 0, False) for customer in customers}
    manual = RescoreJob.objects.filter(reason="manual")
    assert sorted(manual.values_list("status", flat=True)) == [JobStatus.DONE, JobStatus.DONE]
    assert RescoreJob.objects.get(version=first, reason="publish").status == JobStatus.SUPERSEDED
    assert "chunk 1 of 1, 2 scores changed" in out.getvalue()
    assert "done: 2 customers, 2 scores changed" in out.getvalue()


def test_it_rescores_only_the_rubric_asked_for(make_person):
    CustomerFactory()
    admin = make_person("admin")
    _published(admin)
    second = _published(admin)

    call_command("rescore", "--rubric", str(second.rubric_id), stdout=StringIO())

    assert set(Score.objects.values_list("rubric_id", flat=True)) == {second.rubric_id}


def test_it_refuses_a_rubric_without_a_published_version():
    draft = rubric_with_draft()

    with pytest.raises(CommandError, match="no published version"):
        call_command("rescore", "--rubric", str(draft.rubric_id), stdout=StringIO())
