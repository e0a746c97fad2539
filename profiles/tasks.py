"""Celery entry points for profiles: the daily review reminder (scheduled in CELERY_BEAT_SCHEDULE)."""

import logging

from celery import shared_task
from django.utils import timezone

from ops.jobs import JobTask

from .selectors import profiles_due_for_review
from .services.reviews import profile_review_remind

logger = logging.getLogger(__name__)


@shared_task(base=JobTask)
def profile_reviews_remind() -> int:
    """Remind of every profile whose review date is reached, once; a profile whose email fails waits for tomorrow."""
    today = timezone.localdate()
    sent = 0
    for profile_id in profiles_due_for_review(today).values_list("pk", flat=True):
        try:
            sent += profile_review_remind(profile_id=profile_id, today=today)
        except OSError:  # the mail server; the claim was rolled back, so the next run tries again
            logger.exception("the review reminder of profile %s could not be sent", profile_id)
    return sent
