"""Celery entry points for webhooks: they take ids and call services/dispatch.py and services/delivering.py.

With tasks run in-process (no REDIS_URL, ``make run``), the dispatcher makes the
deliveries but sends none of them: a publish would otherwise wait on the CRM for
every batch of leads. ``manage.py webhooks_send`` sends them there; an admin's
test event and retry are single requests and go out at once.
"""

import logging

from celery import shared_task

from ops.jobs import JobTask

from .services import delivering, dispatch

logger = logging.getLogger(__name__)

SEND_BUDGET_SECONDS = 50  # a sending round ends before the next minute's round starts


@shared_task(base=JobTask)
def webhooks_dispatch() -> None:
    """Every minute and after scoring: take back expired leases, make new deliveries, send those due."""
    delivering.deliveries_release_expired()
    dispatch.webhooks_dispatch()
    if webhooks_dispatch.app.conf.task_always_eager:
        return
    if delivering.delivery_next_due(skip_webhooks=set()) is not None:
        webhooks_send_due.delay()


@shared_task(base=JobTask, time_limit=delivering.SEND_TIME_LIMIT, soft_time_limit=delivering.SEND_TIME_LIMIT - 10)
def webhooks_send_due() -> None:
    delivering.deliveries_send_due(budget_seconds=SEND_BUDGET_SECONDS)


@shared_task(base=JobTask, time_limit=delivering.SEND_TIME_LIMIT, soft_time_limit=delivering.SEND_TIME_LIMIT - 10)
def webhook_deliver(delivery_id: int) -> None:
    """Send one delivery if it is due and nobody else has it; safe to run twice."""
    delivering.delivery_send(delivery_id=delivery_id)
