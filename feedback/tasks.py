"""Celery entry points for feedback: they take ids, load, and call a service (ops.jobs.JobTask: bounded retries,
then the failure recorded where people see it)."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from ops.jobs import JobTask, job_send_now, work_resumer

from . import risk
from .models import Survey
from .services import risk_digest
from .services.answers import SENTIMENT_TASK_SIZE, responses_sentiment_update, responses_without_sentiment
from .services.sending import invitations_email

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


@work_resumer("feedback work")
def feedback_work_resend(after_a_restart: bool) -> None:
    """Send again the comments still without sentiment (imports are resent by imports.tasks). Work sent twice is
    done once."""
    waiting = responses_without_sentiment(waited=datetime.timedelta(seconds=settings.STUCK_JOB_SECONDS))
    for start in range(0, len(waiting), SENTIMENT_TASK_SIZE):
        job_send_now("feedback.tasks.responses_sentiment", waiting[start : start + SENTIMENT_TASK_SIZE])
    if waiting:
        logger.info("feedback work sent again: %s comments' sentiment", len(waiting))


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
        risk_digest.risk_digest_send(user=user, week=datetime.date.fromisoformat(week))
