"""Celery entry points for feedback: they take ids, load, and call a service (ops.jobs.JobTask: bounded retries,
then the failure recorded where people see it)."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from ops.jobs import JobTask, job_send_now, work_resumer

from . import risk
from .imports import feedback_import_commit as import_commit
from .imports import feedback_import_fail, feedback_imports_unheld
from .models import FeedbackImport, ImportStatus, Survey
from .sending import invitations_email
from .services import SENTIMENT_TASK_SIZE, responses_sentiment_update, responses_without_sentiment

logger = logging.getLogger(__name__)

MAIL_RETRY_DELAY = 5 * 60  # a mail server that is down is rarely back within seconds
MAIL_ERRORS = (OSError,)  # smtplib's errors are OSErrors


@shared_task(bind=True, base=JobTask, default_retry_delay=30)
def responses_sentiment(self, response_ids: list[int]) -> int:
    """Compute the comments' sentiment and refresh their customers; a re-run writes nothing."""
    return responses_sentiment_update(response_ids=response_ids)


def _emails_given_up(task, error, survey_id: int) -> int:
    logger.warning("survey %s: invitations could not all be emailed; sending the survey again retries", survey_id)
    return 0


@shared_task(
    bind=True, base=JobTask, retry_on=MAIL_ERRORS, default_retry_delay=MAIL_RETRY_DELAY, give_up=_emails_given_up
)
def survey_invitations_email(self, survey_id: int) -> int:
    """Email the survey's invitations not emailed yet; after a failure the retry sends the rest."""
    survey = Survey.objects.filter(pk=survey_id).first()
    return 0 if survey is None else invitations_email(survey=survey)


def _import_failed(then: str):
    def record(task, error, import_id: int) -> None:
        job = FeedbackImport.objects.filter(pk=import_id).first()
        if job is not None:
            feedback_import_fail(job=job, message=f"The import stopped on {then}; nothing was imported.")

    return record


@shared_task(bind=True, base=JobTask, give_up=_import_failed("a database error"), fail=_import_failed("an error"))
def feedback_import_commit(self, import_id: int) -> None:
    job = FeedbackImport.objects.filter(pk=import_id, status=ImportStatus.IMPORTING).first()
    if job is not None:
        import_commit(job=job)


@work_resumer("feedback work")
def feedback_work_resend(after_a_restart: bool) -> None:
    """Send again what waits for a worker: imports under way that no worker holds, and comments still without
    sentiment. Work sent twice is done once."""
    unheld = feedback_imports_unheld()
    for import_id in unheld:
        job_send_now("feedback.tasks.feedback_import_commit", import_id)
    waiting = responses_without_sentiment(waited=datetime.timedelta(seconds=settings.STUCK_JOB_SECONDS))
    for start in range(0, len(waiting), SENTIMENT_TASK_SIZE):
        job_send_now("feedback.tasks.responses_sentiment", waiting[start : start + SENTIMENT_TASK_SIZE])
    if unheld or waiting:
        logger.info("feedback work sent again: imports %s, %s comments' sentiment", unheld, len(waiting))


@shared_task(base=JobTask)
def risk_digests_send() -> None:
    """Send this week's at-risk digest to each Customer Success person, one task each."""
    week = risk.digest_week(timezone.now())
    for user_id in risk.digest_recipients().values_list("pk", flat=True):
        risk_digest_send.delay(user_id, week.isoformat())


def _digest_given_up(task, error, user_id: int, week: str) -> None:
    logger.warning("the at-risk digest for %s, week of %s, could not be sent", user_id, week)


@shared_task(
    bind=True, base=JobTask, retry_on=MAIL_ERRORS, default_retry_delay=MAIL_RETRY_DELAY, give_up=_digest_given_up
)
def risk_digest_send(self, user_id: int, week: str) -> None:
    user = risk.digest_recipients().filter(pk=user_id).first()
    if user is not None:  # the digest is recorded only once sent: the retry sends it
        risk.risk_digest_send(user=user, week=datetime.date.fromisoformat(week))
