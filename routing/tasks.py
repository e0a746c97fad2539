"""Celery entry points for routing: they call services/assigning.py. Both are safe to run twice: routing moves a
cursor and skips leads with an owner; a reassignment checks again, under the lead's lock, that it is still due."""

from celery import shared_task

from ops.jobs import JobTask

from .services import assigning


@shared_task(base=JobTask, default_retry_delay=2)
def leads_route_new() -> None:
    """After scoring, and every minute: give newly qualified, unowned leads an owner."""
    assigning.leads_route_new()


@shared_task(base=JobTask)
def leads_reassign_stale() -> None:
    """Periodically: leads nobody touched within their rule's hours go to the next rep."""
    assigning.leads_reassign_stale()
