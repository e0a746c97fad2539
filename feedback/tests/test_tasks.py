"""The periodic resend of feedback work: imports no worker holds, comments still without sentiment."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from feedback.models import Response
from feedback.tasks import feedback_work_resend
from imports.models import ImportJob, ImportStatus
from imports.services import import_upload
from imports.tasks import imports_resend

pytestmark = pytest.mark.django_db


def _answer(comment: str, seconds_ago: int) -> Response:
    answer = Response.objects.create(
        customer=CustomerFactory(), score=9, comment=comment, answered_at=timezone.now(), sentiment=None
    )
    Response.objects.filter(pk=answer.pk).update(updated_at=timezone.now() - datetime.timedelta(seconds=seconds_ago))
    return answer


def test_it_computes_the_sentiment_of_comments_left_without_it(settings):
    settings.STUCK_JOB_SECONDS = 60
    left, fresh, blank = _answer("Great support", 61), _answer("Great support", 5), _answer("   ", 61)
    feedback_work_resend(False)

    sentiments = dict(Response.objects.values_list("pk", "sentiment"))
    assert sentiments[left.pk] > 0
    assert sentiments[fresh.pk] is None, "its own task may still be on the way"
    assert sentiments[blank.pk] is None, "no words, no sentiment"


def test_it_sends_again_an_import_left_importing():
    CustomerFactory(external_id="CRM-1", nps=None)
    job = import_upload(
        kind="feedback-answers",
        file=ContentFile(b"external_id,score,date\nCRM-1,9,2026-03-15\n"),
        name="a.csv",
        user=None,
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)

    imports_resend(False)

    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE
    assert Response.objects.get().score == 9
