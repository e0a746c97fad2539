"""Celery entry points for engagement: the nightly partition upkeep (scheduled in CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from ops.jobs import JobTask

from .services import events_retention_apply


@shared_task(base=JobTask)
def event_partitions_maintain() -> dict:
    """Next months' partitions made; partitions and daily counts past ENGAGEMENT_RETENTION_DAYS dropped."""
    dropped, deleted = events_retention_apply()
    return {"partitions_dropped": dropped, "daily_counts_deleted": deleted}
