"""Giving leads an owner by the assignment rules: new qualifications, leads left untouched, and hand changes logged.

Every assignment locks the customer, then the active rules (always in the same order, so two workers take turns),
chooses with choosing.py, writes the owner, the rule's round-robin pointer and the log in one transaction.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from customers.models import ChangeSource, Customer
from customers.services.records import customer_update
from leads.models import LeadDispositionChange
from rubrics.locks import rubric_scoring_held_off
from rubrics.models import QualificationChange, RubricVersion, VersionStatus
from teams.models import User

from .. import choosing
from ..models import AssignmentLog, AssignmentRule, AssignmentWhy, RoutingCursor, RoutingPending
from ..selectors import ROUTED, lead_spec, reps_state, rule_specs
from .notifying import assignment_announce

logger = logging.getLogger(__name__)

CHANGES_PER_TRANSACTION = 200
# A rubric routed for the first time starts with the qualifications of the last hour, not its whole past.
FIRST_LOOK_BACK = datetime.timedelta(hours=1)
# Reassignment looks at assignments of the last 30 days: an older one left untouched was due long ago (the job runs
# every ten minutes), and reading the whole log every time would grow with it.
REASSIGN_LOOK_BACK = datetime.timedelta(days=30)


def _choose(customer: Customer, now: datetime.datetime, exclude: set[int]) -> choosing.Choice:
    rules = list(AssignmentRule.objects.select_for_update().filter(is_active=True).order_by("position", "id"))
    specs = rule_specs(rules)
    reps = reps_state({rep for spec in specs for rep in spec.rep_ids}, now)
    return choosing.lead_choose(specs, lead_spec(customer), reps, exclude=exclude)


def _give(
    customer: Customer, choice: choosing.Choice, *, rubric_id, why: str, now: datetime.datetime, detail: str = ""
) -> AssignmentLog:
    previous_owner_id = customer.owner_id
    if choice.rep_id is None:
        return AssignmentLog.objects.create(
            customer=customer,
            rubric_id=rubric_id,
            from_user_id=previous_owner_id,
            why=AssignmentWhy.UNASSIGNED,
            detail=(detail + choice.why_not)[:200],
            at=now,
        )
    customer_update(customer=customer, values={"owner_id": choice.rep_id}, user=None, source=ChangeSource.SYSTEM)
    AssignmentRule.objects.filter(pk=choice.rule_id).update(last_rep_id=choice.rep_id)
    log = AssignmentLog.objects.create(
        customer=customer,
        rubric_id=rubric_id,
        rule_id=choice.rule_id,
        from_user_id=previous_owner_id,
        to_user_id=choice.rep_id,
        why=why,
        detail=detail[:200],
        at=now,
    )
    log = AssignmentLog.objects.select_related("customer", "rubric", "rule", "from_user", "to_user").get(pk=log.pk)
    assignment_announce(log)
    return log


@transaction.atomic
def lead_route(
    *, customer_id: int, rubric_id: int | None, now: datetime.datetime | None = None
) -> AssignmentLog | None:
    """Give an unowned lead an owner by the rules (or log that none was available); a lead with an owner, or
    gone, is left alone (None)."""
    now = now or timezone.now()
    customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
    if customer is None or customer.owner_id is not None:
        return None
    log = _give(customer, _choose(customer, now, set()), rubric_id=rubric_id, why=AssignmentWhy.ASSIGNED, now=now)
    if log.to_user_id is None:
        logger.debug("lead %s stays unowned: %s", customer_id, log.detail)
    return log


def _first_cursor(rubric_id: int) -> int:
    since = timezone.now() - FIRST_LOOK_BACK
    older = QualificationChange.objects.filter(rubric_id=rubric_id, changed_at__lt=since).order_by("-changed_at", "-id")
    return older.values_list("id", flat=True).first() or 0


def _take_batch(rubric_id: int) -> bool:
    """Take the next new qualifications of the rubric past its cursor as pending leads (RoutingPending), in one
    short transaction that holds off the rubric's scoring, as the webhook dispatch does (no change commits late
    below the cursor). With no active rule there is nothing to route: the cursor moves to the newest change at
    once. Returns whether more may wait."""
    with transaction.atomic():
        rubric_scoring_held_off(rubric_id)
        cursor = RoutingCursor.objects.select_for_update().filter(rubric_id=rubric_id).first()
        if cursor is None:
            RoutingCursor.objects.get_or_create(rubric_id=rubric_id, defaults={"cursor": _first_cursor(rubric_id)})
            cursor = RoutingCursor.objects.select_for_update().get(rubric_id=rubric_id)
        if not AssignmentRule.objects.filter(is_active=True).exists():
            newest = QualificationChange.objects.filter(rubric_id=rubric_id, id__gt=cursor.cursor).aggregate(Max("id"))
            if newest["id__max"] is not None:
                RoutingCursor.objects.filter(pk=cursor.pk).update(cursor=newest["id__max"])
            return False
        changes = list(
            QualificationChange.objects.filter(rubric_id=rubric_id, id__gt=cursor.cursor, qualified=True)
            .filter(Q(was_qualified=False) | Q(was_qualified__isnull=True))
            .order_by("id")
            .values_list("id", "customer_id")[:CHANGES_PER_TRANSACTION]
        )
        if not changes:
            return False
        RoutingPending.objects.bulk_create(
            [RoutingPending(customer_id=customer_id, rubric_id=rubric_id) for _, customer_id in changes],
            ignore_conflicts=True,
        )
        RoutingCursor.objects.filter(pk=cursor.pk).update(cursor=changes[-1][0])
    return len(changes) == CHANGES_PER_TRANSACTION


def _route_pending(rubric_id: int) -> int:
    """Route the rubric's pending leads, each in a transaction of its own that deletes its row (scoring goes on
    meanwhile); returns how many got an owner."""
    routed = 0
    while True:
        with transaction.atomic():
            pending = (
                RoutingPending.objects.select_for_update(skip_locked=True)
                .filter(rubric_id=rubric_id)
                .order_by("id")
                .first()
            )
            if pending is None:
                return routed
            log = lead_route(customer_id=pending.customer_id, rubric_id=rubric_id)
            routed += bool(log and log.to_user_id)
            pending.delete()


def leads_route_new() -> int:
    """Route the leads that newly qualified by any published rubric; returns how many got an owner."""
    routed = 0
    rubric_ids = RubricVersion.objects.filter(status=VersionStatus.PUBLISHED).values_list("rubric_id", flat=True)
    for rubric_id in sorted(set(rubric_ids)):
        more = True
        while more:
            more = _take_batch(rubric_id)
            routed += _route_pending(rubric_id)
    return routed


def _sla(rule_sla_hours: int | None) -> datetime.timedelta:
    return datetime.timedelta(hours=rule_sla_hours or settings.ROUTING_SLA_HOURS)


def _stale_assignments(now: datetime.datetime):
    """Assignments that are still the lead's latest word, still its owner's, and untouched since (no disposition
    or note, no claim or hand change: those are later logs). The SLA of each is checked by the caller."""
    latest = AssignmentLog.objects.filter(customer=OuterRef("customer")).order_by("-at", "-id").values("pk")[:1]
    touched = LeadDispositionChange.objects.filter(customer=OuterRef("customer"), changed_at__gte=OuterRef("at"))
    return (
        AssignmentLog.objects.filter(
            why__in=ROUTED, at__lte=now - datetime.timedelta(hours=1), at__gte=now - REASSIGN_LOOK_BACK
        )
        .filter(pk=latest, customer__owner_id=F("to_user_id"))
        .exclude(Exists(touched))
        .select_related("rule")
        .order_by("at", "id")
    )


@transaction.atomic
def lead_reassign(*, log_id: int, now: datetime.datetime) -> AssignmentLog | None:
    """Take a lead nobody touched within its SLA from its owner and give it to the next rep by the rules.
    Checked again under the customer's lock; None when it is no longer due."""
    log = AssignmentLog.objects.select_related("rule").filter(pk=log_id).first()
    if log is None:
        return None
    customer = Customer.objects.select_for_update().filter(pk=log.customer_id).first()
    if customer is None or not _stale_assignments(now).filter(pk=log.pk).exists():
        return None
    hours = _sla(log.rule.sla_hours if log.rule else None)
    if log.at + hours > now:
        return None
    owner = User.objects.filter(pk=customer.owner_id).first()
    detail = f"Untouched for {int(hours.total_seconds() // 3600)} h by {owner.display_name if owner else 'its owner'}. "
    choice = _choose(customer, now, {customer.owner_id})
    if choice.rep_id is None:
        detail += "No other rep available: it stays with them. "
    new_log = _give(customer, choice, rubric_id=log.rubric_id, why=AssignmentWhy.REASSIGNED, now=now, detail=detail)
    logger.info("lead %s reassigned: %s", customer.pk, new_log)
    return new_log


def leads_reassign_stale(*, now: datetime.datetime | None = None) -> int:
    """Reassign every lead whose SLA ran out untouched; returns how many got a new owner."""
    now = now or timezone.now()
    moved = 0
    for log in list(_stale_assignments(now)):
        if log.at + _sla(log.rule.sla_hours if log.rule else None) > now:
            continue
        new_log = lead_reassign(log_id=log.pk, now=now)
        moved += bool(new_log and new_log.to_user_id)
    return moved


def lead_owner_log(*, customer_id: int, previous_owner_id, owner_id, user: User | None) -> AssignmentLog:
    """Log an owner set by hand: claimed by a rep, or given by an admin."""
    why = AssignmentWhy.CLAIMED if user is not None and owner_id == user.pk else AssignmentWhy.GIVEN
    return AssignmentLog.objects.create(
        customer_id=customer_id,
        from_user_id=previous_owner_id,
        to_user_id=owner_id,
        why=why,
        detail=f"By {user.display_name}" if user else "",
    )
