"""A profile's exemplars: customers that show the profile, added, agreed or rejected, and removed."""

from django.core.exceptions import ValidationError
from django.db import transaction

from customers.models import Customer
from teams.models import User

from ..models import (
    Exemplar,
    ExemplarReason,
    ItemStatus,
    Profile,
)
from .profiles import profile_agreement_record


@transaction.atomic
def exemplar_add(
    *, profile: Profile, customer: Customer, reason: str, note: str = "", user: User | None, status: str
) -> Exemplar:
    if reason not in ExemplarReason.values:
        raise ValidationError({"reason": "Pick a reason from the list."})
    if status not in ItemStatus.values:
        raise ValueError(f"not an item status: {status}")
    if Exemplar.objects.filter(profile=profile, customer=customer).exists():
        raise ValidationError({"customer": f"{customer.name} is already an exemplar of this profile."})
    exemplar = Exemplar.objects.create(
        profile=profile, customer=customer, reason=reason, note=note.strip(), status=status, added_by=user
    )
    if status == ItemStatus.AGREED:
        profile_agreement_record(profile=profile)
    return exemplar


@transaction.atomic
def exemplar_status_set(*, exemplar: Exemplar, status: str) -> Exemplar:
    if status not in ItemStatus.values:
        raise ValueError(f"not an item status: {status}")
    changed = Exemplar.objects.filter(pk=exemplar.pk).exclude(status=status).update(status=status)
    exemplar.status = status
    if changed and status == ItemStatus.AGREED:
        profile_agreement_record(profile=exemplar.profile)
    return exemplar


def exemplar_remove(*, exemplar: Exemplar) -> None:
    exemplar.delete()
