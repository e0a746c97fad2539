"""Writes about leads: what a rep made of one."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from rubrics.models import Rubric, Score
from teams.models import Role, User

from .models import DispositionStatus, DisqualificationReason, LeadDisposition, LeadDispositionChange


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
