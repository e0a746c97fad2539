"""Celery entry points for feedback: they take ids, load, and call a service."""

import datetime
import logging

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from . import risk
from .imports import feedback_import_commit as import_commit
from .imports import feedback_import_fail, feedback_imports_unheld
from .models import FeedbackImport, ImportStatus, Survey
from .sending import invitations_email
from .services import SENTIMENT_TASK_SIZE, responses_sentiment_update, responses_without_sentiment

logger = logging.getLogger(__name__)

RETRIES = 3
MAIL_RETRY_DELAY = 5 * 60  # a mail server that is down is rarely back within seconds


@shared_task(bind=True, acks_late=True, max_retries=RETRIES, default_retry_delay=30)
def responses_sentiment(self, response_ids: list[int]) -> int:
    """Compute the comments' sentiment and refresh their customers; a re-run writes nothing."""
    try:
        return responses_sentiment_update(response_ids=response_ids)
    except DatabaseError as error:
        if self.request.retries < RETRIES:
            raise self.retry(exc=error) from error
        raise


@shared_task(bind=True, acks_late=True, max_retries=RETRIES, default_retry_delay=MAIL_RETRY_DELAY)
def survey_invitations_email(self, survey_id: int) -> int:
    """Email the survey's invitations not emailed yet; after a failure the retry sends the rest."""
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        return 0
    try:
        return invitations_email(survey=survey)
    except OSError as error:  # the mail server (smtplib's errors are OSErrors)
        if self.request.retries < RETRIES:
            raise self.retry(exc=error) from error
        logger.exception("survey %s: invitations could not all be emailed", survey_id)
        return 0


@shared_task(bind=True, acks_late=True, max_retries=RETRIES, default_retry_delay=15)
def feedback_import_commit(self, import_id: int) -> None:
    job = FeedbackImport.objects.filter(pk=import_id, status=ImportStatus.IMPORTING).first()
    if job is None:
        return
    try:
        import_commit(job=job)
    except DatabaseError as error:
        if self.request.retries < RETRIES:
            raise self.retry(exc=error) from error
        logger.exception("feedback import %s failed after %s retries", import_id, RETRIES)
        feedback_import_fail(job=job, message="The import stopped on a database error; nothing was imported.")
    except Exception:
        logger.exception("feedback import %s failed", import_id)
        feedback_import_fail(job=job, message="The import stopped on an error; nothing was imported.")
        raise


@shared_task(acks_late=True)
def feedback_work_resume() -> None:
    """Send again what waits for a worker (periodically, and when a worker starts): imports under way that no
    worker holds, and comments still without sentiment. Work sent twice is done once."""
    unheld = feedback_imports_unheld()
    for import_id in unheld:
        feedback_import_commit.delay(import_id)
    waiting = responses_without_sentiment(waited=datetime.timedelta(seconds=settings.STUCK_JOB_SECONDS))
    for start in range(0, len(waiting), SENTIMENT_TASK_SIZE):
        responses_sentiment.delay(waiting[start : start + SENTIMENT_TASK_SIZE])
    if unheld or waiting:
        logger.info("feedback work sent again: imports %s, %s comments' sentiment", unheld, len(waiting))


@worker_ready.connect
def _resume_after_a_restart(sender=None, **kwargs) -> None:
    feedback_work_resume.delay()


@shared_task(acks_late=True)
def risk_digests_send() -> None:
    """Send this week's at-risk digest to each Customer Success person, one task each."""
    week = risk.digest_week(timezone.now())
    for user_id in risk.digest_recipients().values_list("pk", flat=True):
        risk_digest_send.delay(user_id, week.isoformat())


@shared_task(bind=True, acks_late=True, max_retries=RETRIES, default_retry_delay=MAIL_RETRY_DELAY)
def risk_digest_send(self, user_id: int, week: str) -> None:
    user = risk.digest_recipients().filter(pk=user_id).first()
    if user is None:
        return
    try:
        risk.risk_digest_send(user=user, week=datetime.date.fromisoformat(week))
    except OSError as error:  # the digest was not recorded: the retry sends it
        if self.request.retries < RETRIES:
            raise self.retry(exc=error) from error
        logger.exception("the at-risk digest for %s, week of %s, could not be sent", user_id, week)
