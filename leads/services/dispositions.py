"""Writes about leads: what a rep made of one (one lead or many at once), who owns it, when the rep last looked."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from customers.models import Customer
from customers.services.records import customer_update
from rubrics.models import Rubric, Score
from teams.models import Role, User

from ..models import (
    DispositionStatus,
    DisqualificationReason,
    LeadDisposition,
    LeadDispositionChange,
    LeadListVisit,
)
from ..selectors import lead_scope
from ..signals import lead_owner_changed

# Markers of new leads count from the visit before the current stretch of work:
# a pause this long starts a new stretch.
LEAD_VISIT_GAP = datetime.timedelta(hours=1)
# A visit within this of the last one is not written again (the list stays a read).
LEAD_VISIT_WRITE_EVERY = datetime.timedelta(minutes=1)
BULK_LIMIT = 500


def lead_may_change(*, user: User, customer: Customer) -> bool:
    """Admins may change any lead; a rep only the leads of the accounts they own."""
    return user.role == Role.ADMIN or (user.role == Role.SALES_REP and customer.owner_id == user.pk)


@transaction.atomic
def lead_disposition_set(
    *,
    customer: Customer,
    rubric: Rubric,
    status: str,
    reason: DisqualificationReason | None,
    note: str,
    user: User,
) -> LeadDisposition:
    """Accept, mark contacted or disqualify a lead (with a reason); every change is kept with the score it had."""
    if not lead_may_change(user=user, customer=customer):
        raise PermissionDenied("This lead belongs to another rep.")
    note = note.strip()
    if status not in DispositionStatus.values:
        raise ValidationError({"status": "Choose accepted, contacted or disqualified."})
    if status == DispositionStatus.DISQUALIFIED:
        if reason is None or not reason.is_active:
            raise ValidationError({"reason": "Say why the lead is disqualified."})
        if reason.needs_note and not note:
            raise ValidationError({"note": f"“{reason.label}” needs a few words of explanation."})
    else:
        reason = None
    current = LeadDisposition.objects.select_for_update().filter(customer=customer, rubric=rubric).first()
    if current and (current.status, current.reason_id, current.note) == (status, reason and reason.pk, note):
        return current  # the same word again (a double submit): nothing to record
    now = timezone.now()
    disposition, _ = LeadDisposition.objects.update_or_create(
        customer=customer,
        rubric=rubric,
        defaults={"status": status, "reason": reason, "note": note, "changed_by": user, "changed_at": now},
    )
    score = Score.objects.filter(customer=customer, rubric=rubric).first()
    LeadDispositionChange.objects.create(
        customer=customer,
        rubric=rubric,
        status=status,
        reason=reason,
        note=note,
        changed_by=user,
        changed_at=now,
        version_id=score.version_id if score else None,
        total=score.total if score else None,
        matched=score.matched if score else None,
    )
    return disposition


def lead_visit_record(*, user: User, rubric: Rubric, now: datetime.datetime | None = None) -> LeadListVisit:
    """Note that the person looks at the rubric's leads now; return the visit with ``new_since``.

    ``new_since`` is when the previous stretch of work ended (None on a first
    visit), so the leads qualified after it are the ones new to this person.
    """
    now = now or timezone.now()
    visit = LeadListVisit.objects.filter(user=user, rubric=rubric).first()
    if visit is None:
        visit, _ = LeadListVisit.objects.get_or_create(user=user, rubric=rubric, defaults={"seen_at": now})
        return visit
    if now - visit.seen_at < LEAD_VISIT_WRITE_EVERY:
        return visit
    if now - visit.seen_at >= LEAD_VISIT_GAP:
        visit.new_since = visit.seen_at
    visit.seen_at = now
    LeadListVisit.objects.filter(pk=visit.pk).update(seen_at=visit.seen_at, new_since=visit.new_since)
    return visit


def lead_owner_may_set(*, user: User, customer: Customer, owner: User | None) -> bool:
    """Admins give any lead to any active rep (or to nobody); a rep may claim an unowned lead for themselves."""
    if user.role == Role.ADMIN:
        return owner is None or (owner.role == Role.SALES_REP and owner.is_active)
    return user.role == Role.SALES_REP and customer.owner_id is None and owner is not None and owner.pk == user.pk


@transaction.atomic
def lead_owner_set(*, customer: Customer, owner: User | None, user: User) -> Customer:
    """Reassign (admins) or claim (reps) a lead's account; recorded in the customer's change log."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if owner is not None and customer.owner_id == owner.pk:
        return customer  # already theirs: a double submit changes nothing
    if not lead_owner_may_set(user=user, customer=customer, owner=owner):
        if user.role == Role.SALES_REP and customer.owner_id is not None:
            raise PermissionDenied("Someone else owns this lead now.")
        raise PermissionDenied("You may not give this lead to that person.")
    previous_owner_id = customer.owner_id
    customer = customer_update(customer=customer, values={"owner_id": owner.pk if owner else None}, user=user)
    if customer.owner_id != previous_owner_id:
        lead_owner_changed.send(
            sender=Customer,
            customer_id=customer.pk,
            previous_owner_id=previous_owner_id,
            owner_id=customer.owner_id,
            user=user,
        )
    return customer


BULK_ACTIONS = {
    "accepted": "Accept",
    "contacted": "Mark contacted",
    "disqualified": "Disqualify",
    "claim": "Claim",
    "assign": "Assign to",
}


@transaction.atomic
def leads_bulk_apply(
    *,
    user: User,
    rubric: Rubric,
    customer_ids: list[int],
    action: str,
    reason: DisqualificationReason | None = None,
    note: str = "",
    owner: User | None = None,
) -> int:
    """Apply one action to a selection of leads, all or nothing; returns how many leads it covered.

    Every lead must be one the person may see (else 404, as for one lead) and
    change (else PermissionDenied); a failure on any lead rolls back them all.
    """
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": "Choose what to do with the selected leads."})
    ids = sorted(set(customer_ids))
    if not ids:
        raise ValidationError({"action": "Select at least one lead."})
    if len(ids) > BULK_LIMIT:
        raise ValidationError({"action": f"Select at most {BULK_LIMIT} leads at a time."})
    scores = list(
        Score.objects.filter(lead_scope(user), rubric=rubric, customer_id__in=ids)
        .select_related("customer")
        .order_by("customer_id")
    )
    if len(scores) != len(ids):
        raise Http404("Some of the selected leads are not yours to see.")
    for score in scores:
        if action == "claim":
            lead_owner_set(customer=score.customer, owner=user, user=user)
        elif action == "assign":
            lead_owner_set(customer=score.customer, owner=owner, user=user)
        else:
            lead_disposition_set(
                customer=score.customer, rubric=rubric, status=action, reason=reason, note=note, user=user
            )
    return len(scores)
