"""What routing does when the apps below it say something happened (connected in apps.py)."""

import logging

from ops.jobs import job_send_now

from .services.assigning import lead_owner_log

logger = logging.getLogger(__name__)


def qualifications_route(sender=None, **kwargs) -> None:
    """New qualifications were committed: have the worker route them now. A broker that cannot be reached must
    not fail the scoring that announced them; the every-minute routing catches up."""
    try:
        job_send_now(
            "routing.tasks.leads_route_new", waiting="New leads get their owner with the every-minute routing."
        )
    except Exception:
        logger.exception("could not start the routing of new leads; the periodic one will catch up")


def lead_owner_changed_log(sender=None, *, customer_id, previous_owner_id, owner_id, user, **kwargs) -> None:
    """A claim or an admin's choice, logged in the same transaction as the change."""
    lead_owner_log(customer_id=customer_id, previous_owner_id=previous_owner_id, owner_id=owner_id, user=user)
