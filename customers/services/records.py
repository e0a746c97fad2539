"""One customer at a time: create, update (refusing to overwrite a change made meanwhile), delete. Each change is
recorded as a CustomerChange and announced, so its scores follow. Category values take their one spelling
(categories.py)."""

import datetime

from django.db import transaction

from teams.models import User

from ..models import ChangeAction, ChangeSource, Customer
from .categories import spellings_unify
from .changes import change_new, customers_changed_announce, values_apply, writable_only


def customer_create(
    *, values: dict, user: User | None, source: str = ChangeSource.WEB, source_ref: str = ""
) -> Customer:
    """Create one customer from ``values`` (field attnames to clean values)."""
    with transaction.atomic():
        (values,) = spellings_unify([writable_only(values)])
        customer = Customer(**values)
        customer.full_clean()
        customer.save()
        change_new(customer, ChangeAction.CREATED, {}, user=user, source=source, source_ref=source_ref).save()
        customers_changed_announce([customer.pk])
    return customer


class CustomerChangedMeanwhile(Exception):
    """The customer changed after the person loaded it; their update was not saved."""


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    values: dict,
    user: User | None,
    source: str = ChangeSource.WEB,
    source_ref: str = "",
    loaded_at: datetime.datetime | None = None,
) -> Customer:
    """Change the given fields of one customer; nothing is written when nothing changes.

    With ``loaded_at`` (the ``updated_at`` the person saw), a customer changed
    since then raises CustomerChangedMeanwhile instead of being overwritten.
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if loaded_at is not None and customer.updated_at != loaded_at:
        raise CustomerChangedMeanwhile(customer.name)
    (values,) = spellings_unify([writable_only(values)])
    diff = values_apply(customer, values)
    if diff:
        customer.full_clean()
        customer.save()
        change_new(customer, ChangeAction.UPDATED, diff, user=user, source=source, source_ref=source_ref).save()
        customers_changed_announce([customer.pk])
    return customer


@transaction.atomic
def customer_delete(*, customer: Customer, user: User | None, source: str = ChangeSource.WEB) -> None:
    """Delete one customer with what hangs on it (scores, dispositions, answers); its change history is kept.

    The customer's row is locked before anything is deleted, so what is written for it meanwhile (a re-score
    locks the customers it scores) is written either before, and deleted with it, or not at all. Raises
    Customer.DoesNotExist when it is deleted already.
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    change_new(customer, ChangeAction.DELETED, {}, user=user, source=source, source_ref="").save()
    customer.delete()
