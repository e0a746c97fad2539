"""Celery entry points for leads: the daily digest (scheduled in CELERY_BEAT_SCHEDULE)."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from . import digest

logger = logging.getLogger(__name__)

RETRIES = 3
RETRY_DELAY = 5 * 60  # a mail server that is down is rarely back within seconds


@shared_task(acks_late=True)
def lead_digests_send() -> None:
    """Send every rep's digest of today's window, one task per rep, so a failing email is retried alone."""
    through = digest.digest_through(timezone.now())
    for user_id in digest.digest_recipients().values_list("pk", flat=True):
        lead_digest_send.delay(user_id, through.isoformat())


@shared_task(bind=True, acks_late=True, max_retries=RETRIES, default_retry_delay=RETRY_DELAY)
def lead_digest_send(self, user_id: int, through: str) -> None:
    user = digest.digest_recipients().filter(pk=user_id).first()
    if user is None:
        return  # no longer an active rep with an email
    try:
        digest.lead_digest_send(user=user, through=datetime.datetime.fromisoformat(through))
    except OSError as error:  # the mail server (smtplib's errors are OSErrors); the digest was not recorded
        if self.request.retries < RETRIES:
            raise self.retry(exc=error) from error
        logger.exception("the lead digest for %s through %s could not be sent", user_id, through)
