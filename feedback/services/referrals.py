"""Referrals and advocacy: recorded with their audit trail, and fed into the customer's feedback fields."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from customers.models import ChangeSource, Customer
from teams.models import User

from ..models import (
    Advocacy,
    FeedbackChange,
    Referral,
    ReferralStatus,
)
from .answers import customer_feedback_refresh


def _audit(*, entity: str, entity_id: int, customer_id: int, action: str, changes: dict, user) -> None:
    FeedbackChange.objects.create(
        entity=entity,
        entity_id=entity_id,
        customer_id=customer_id,
        action=action,
        changed_by=user if user is not None and user.is_authenticated else None,
        changes=changes,
    )


@transaction.atomic
def referral_create(
    *,
    referrer: Customer,
    referred_on: datetime.date,
    user: User | None,
    referred_customer: Customer | None = None,
    referred_name: str = "",
    referred_domain: str = "",
    status: str = ReferralStatus.OPEN,
    note: str = "",
) -> Referral:
    """Record that ``referrer`` referred someone (a customer in the base, or a name or domain)."""
    referred_name, referred_domain = " ".join(referred_name.split()), referred_domain.strip().lower()
    if referred_customer is None and not referred_name and not referred_domain:
        raise ValidationError("Say whom the customer referred: a customer, a company name or a domain.")
    if referred_customer is not None and referred_customer.pk == referrer.pk:
        raise ValidationError({"referred_customer": "A customer cannot refer itself."})
    referral = Referral(
        referrer=referrer,
        referred_customer=referred_customer,
        referred_name=referred_name,
        referred_domain=referred_domain,
        referred_on=referred_on,
        status=status,
        note=note.strip(),
        created_by=user,
    )
    referral.full_clean()
    referral.save()
    _audit(
        entity="referral",
        entity_id=referral.pk,
        customer_id=referrer.pk,
        action="created",
        changes={
            "referred": [None, referral.referred_label],
            "referred_on": [None, referred_on.isoformat()],
            "status": [None, status],
        },
        user=user,
    )
    customer_feedback_refresh(
        customer=referrer, user=user, source=ChangeSource.WEB, source_ref=f"referral {referral.pk}"
    )
    return referral


@transaction.atomic
def referral_status_set(*, referral: Referral, status: str, user: User | None) -> Referral:
    """Mark a referral open, closed (yes) or closed (no); the same status again changes nothing."""
    if status not in ReferralStatus.values:
        raise ValidationError({"status": "Choose open, closed: yes or closed: no."})
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status == status:
        return referral
    old, referral.status = referral.status, status
    referral.save(update_fields=["status", "updated_at"])
    _audit(
        entity="referral",
        entity_id=referral.pk,
        customer_id=referral.referrer_id,
        action="updated",
        changes={"status": [old, status]},
        user=user,
    )
    return referral


@transaction.atomic
def advocacy_create(
    *, customer: Customer, kind: str, happened_on: datetime.date, user: User | None, note: str = ""
) -> Advocacy:
    """Record a case study, public review or reference call by ``customer``."""
    advocacy = Advocacy(customer=customer, kind=kind, happened_on=happened_on, note=note.strip(), created_by=user)
    advocacy.full_clean()
    advocacy.save()
    _audit(
        entity="advocacy",
        entity_id=advocacy.pk,
        customer_id=customer.pk,
        action="created",
        changes={"kind": [None, kind], "happened_on": [None, happened_on.isoformat()]},
        user=user,
    )
    customer_feedback_refresh(
        customer=customer, user=user, source=ChangeSource.WEB, source_ref=f"advocacy {advocacy.pk}"
    )
    return advocacy
