"""Celery entry points for leads: the daily digest (scheduled in CELERY_BEAT_SCHEDULE)."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from ops.jobs import JobTask

from . import digest
from .services import digest as digest_sending

logger = logging.getLogger(__name__)

RETRY_DELAY = 5 * 60  # a mail server that is down is rarely back within seconds


@shared_task(base=JobTask)
def lead_digests_send() -> None:
    """Send every rep's digest of today's window, one task per rep, so a failing email is retried alone."""
    through = digest.digest_through(timezone.now())
    for user_id in digest.digest_recipients().values_list("pk", flat=True):
        lead_digest_send.delay(user_id, through.isoformat())


def _digest_given_up(task, error, user_id: int, through: str) -> None:
    logger.warning("the lead digest for %s through %s could not be sent", user_id, through)


@shared_task(bind=True, base=JobTask, retry_on=(OSError,), default_retry_delay=RETRY_DELAY, give_up=_digest_given_up)
def lead_digest_send(self, user_id: int, through: str) -> None:
    user = digest.digest_recipients().filter(pk=user_id).first()
    if user is not None:  # still an active rep with an email; the digest is recorded only once sent
        digest_sending.lead_digest_send(user=user, through=datetime.datetime.fromisoformat(through))
