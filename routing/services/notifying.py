"""Telling a rep about a lead routed to them: a "lead.assigned" webhook delivery of the lead's rubric, and an email."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ops.jobs import job_send
from rubrics.models import Score
from webhooks.models import Delivery, Webhook

from ..models import AssignmentLog

logger = logging.getLogger(__name__)

LEAD_ASSIGNED = "lead.assigned"
WAITING = "The assignment goes out with the every-minute webhook dispatch once the job queue is back."


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.display_name, "email": user.email}


def _lead_url(rubric_id: int | None, customer_id: int) -> str | None:
    if rubric_id is None:
        return None
    path = reverse("leads:detail", kwargs={"rubric_id": rubric_id, "customer_id": customer_id})
    return settings.SITE_URL.rstrip("/") + path


def assignment_payload(log: AssignmentLog, delivery: Delivery) -> dict:
    """Shaped like "lead.qualified" (a list of leads), with who it went to, from whom and why."""
    customer = log.customer
    score = Score.objects.filter(customer=customer, rubric_id=log.rubric_id).first()
    lead = {
        "customer_id": customer.pk,
        "external_id": customer.external_id,
        "name": customer.name,
        "domain": customer.domain,
        "total": score.total if score else None,
        "owner": log.to_user.username if log.to_user else None,
        "url": _lead_url(log.rubric_id, customer.pk),
    }
    rubric = log.rubric
    return {
        "event": LEAD_ASSIGNED,
        "id": str(delivery.event_id),
        "created_at": delivery.created_at.isoformat(),
        "rubric": {"id": rubric.pk, "name": rubric.name} if rubric else None,
        "assigned_to": _person(log.to_user),
        "previous_owner": _person(log.from_user),
        "why": log.why,
        "rule": log.rule.name if log.rule else None,
        "leads": [lead],
    }


def assignment_announce(log: AssignmentLog) -> Delivery | None:
    """Within the assignment's transaction: a delivery to the rubric's active webhook, sent once it commits, and
    an email to the rep after the commit. Returns the delivery (None without an active webhook)."""
    if log.to_user is not None and log.to_user.email:
        transaction.on_commit(lambda: _email(log))
    webhook = Webhook.objects.filter(rubric_id=log.rubric_id, is_active=True).first()
    if webhook is None:
        return None
    delivery = Delivery(webhook=webhook, event=LEAD_ASSIGNED, lead_count=1, created_at=timezone.now())
    delivery.payload = assignment_payload(log, delivery)
    delivery.save()
    job_send("webhooks.tasks.webhook_deliver", delivery.pk, waiting=WAITING)
    return delivery


def _email(log: AssignmentLog) -> None:
    customer = log.customer
    url = _lead_url(log.rubric_id, customer.pk)
    lines = [f"{customer.name} is yours: {log.get_why_display().lower()}."]
    if log.rule:
        lines.append(f"Rule: {log.rule.name}.")
    if url:
        lines.append(f"Open the lead: {url}")
    try:
        send_mail(f"New lead for you: {customer.name}", "\n".join(lines), None, [log.to_user.email])
    except Exception:  # the assignment stands; the lead list shows it
        logger.exception("could not email %s about lead %s", log.to_user_id, customer.pk)
