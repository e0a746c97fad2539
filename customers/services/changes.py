"""What every write to a customer shares: the fields that may be written, setting values and validating them,
the CustomerChange that records each change, and telling the apps above that customers changed."""

import datetime

from django.core.exceptions import ValidationError

from teams.models import User

from ..models import ChangeAction, Customer, CustomerChange
from ..signals import customers_changed

# Everything a CRM, a form or the API may set. The id and the timestamps are ours.
WRITABLE_FIELDS = tuple(
    field.attname
    for field in Customer._meta.concrete_fields
    if not field.primary_key and field.name not in ("created_at", "updated_at")
)


def customers_changed_announce(customer_ids: list[int]) -> None:
    """Tell the apps above that these customers changed (customers.signals): rubrics refreshes its scores'
    copies of their fields in this transaction, so a lead claimed or reassigned is on its new owner's list on
    the next page, and re-scores them once this commits."""
    customers_changed.send(sender=Customer, customer_ids=[pk for pk in customer_ids if pk is not None])


def writable_only(values: dict) -> dict:
    unknown = set(values) - set(WRITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not customer fields: {sorted(unknown)}")
    return values


def values_apply(customer: Customer, values: dict, usernames: dict[int, str] | None = None) -> dict:
    """Set ``values`` on ``customer``; return the changes as {field name: [old, new]}.

    ``usernames`` names owners by id, for the record; missing ones are looked up.
    """
    diff = {}
    for attname, new in values.items():
        old = getattr(customer, attname)
        if attname == "extra":
            new = {**old, **new}
        if old != new:
            name = Customer._meta.get_field(attname).name if attname == "owner_id" else attname
            diff[name] = [_jsonable(attname, old, usernames), _jsonable(attname, new, usernames)]
            setattr(customer, attname, new)
    return diff


ALL_FIELD_NAMES = tuple(field.name for field in Customer._meta.concrete_fields)


def values_validate(customer: Customer, values: dict) -> None:
    """Validate the fields ``values`` sets; the others keep values that were valid (or their defaults)."""
    given = {Customer._meta.get_field("owner" if attname == "owner_id" else attname).name for attname in values}
    try:
        customer.full_clean(
            exclude=[name for name in ALL_FIELD_NAMES if name not in given],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        raise ValidationError(f"{customer.external_id}: {_plain(error)}") from error


def _plain(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


def _jsonable(attname: str, value, usernames: dict[int, str] | None):
    if attname == "owner_id" and value is not None:
        if usernames and value in usernames:
            return usernames[value]
        return User.objects.filter(pk=value).values_list("username", flat=True).first() or value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def change_new(customer, action, diff, *, user, source, source_ref) -> CustomerChange:
    return CustomerChange(
        customer=customer if action != ChangeAction.DELETED else None,
        external_id=customer.external_id,
        customer_name=customer.name,
        action=action,
        source=source,
        source_ref=source_ref,
        changed_by=user if user is not None and user.is_authenticated else None,
        changes=diff,
    )
