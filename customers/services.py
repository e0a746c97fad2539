"""Writes to the customer base. Every change is recorded as a CustomerChange."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from teams.models import User

from .bulk import indexes_deferred, objects_insert
from .demo import DEMO_COLUMNS, demo_customer_rows
from .models import ChangeAction, ChangeSource, Customer, CustomerChange
from .signals import customers_changed

INSERT_BATCH = 10_000
WRITE_BATCH = 1_000

# Everything a CRM, a form or the API may set. The id and the timestamps are ours.
WRITABLE_FIELDS = tuple(
    field.attname
    for field in Customer._meta.concrete_fields
    if not field.primary_key and field.name not in ("created_at", "updated_at")
)


@dataclass(frozen=True)
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: "UpsertResult") -> "UpsertResult":
        return UpsertResult(
            self.created + other.created, self.updated + other.updated, self.unchanged + other.unchanged
        )


def customer_create(
    *, values: dict, user: User | None, source: str = ChangeSource.WEB, source_ref: str = ""
) -> Customer:
    """Create one customer from ``values`` (field attnames to clean values)."""
    customer = Customer(**_only_writable(values))
    customer.full_clean()
    with transaction.atomic():
        customer.save()
        _change(customer, ChangeAction.CREATED, {}, user=user, source=source, source_ref=source_ref).save()
        _rescore_after_commit([customer.pk])
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
    diff = _apply(customer, _only_writable(values))
    if diff:
        customer.full_clean()
        customer.save()
        _change(customer, ChangeAction.UPDATED, diff, user=user, source=source, source_ref=source_ref).save()
        _rescore_after_commit([customer.pk])
    return customer


@transaction.atomic
def customer_delete(*, customer: Customer, user: User | None, source: str = ChangeSource.WEB) -> None:
    _change(customer, ChangeAction.DELETED, {}, user=user, source=source, source_ref="").save()
    customer.delete()


def customers_upsert(
    *,
    rows: Iterable[dict],
    user: User | None,
    source: str,
    source_ref: str = "",
    batch_size: int = WRITE_BATCH,
    dry_run: bool = False,
) -> UpsertResult:
    """Create or update customers by external id, in set-based batches.

    Each row maps field attnames to clean values and must have ``external_id``;
    fields a row leaves out keep their value. A row that changes nothing writes
    nothing. Raises ValidationError (naming the external id) for an invalid row;
    run it inside a transaction to make all batches one unit. ``dry_run`` counts
    what would happen and writes nothing.
    """
    result = UpsertResult()
    rows = iter(rows)
    while batch := list(islice(rows, batch_size)):
        result += _upsert_batch(batch, user=user, source=source, source_ref=source_ref, dry_run=dry_run)
    return result


@transaction.atomic
def _upsert_batch(rows: list[dict], *, user, source, source_ref, dry_run) -> UpsertResult:
    """1. lock the rows that exist; 2. work out creates and real changes; 3. write each kind in one statement."""
    ids = [row["external_id"] for row in rows]
    if len(set(ids)) != len(ids):
        raise ValidationError("The same external id appears twice in one batch.")
    found = Customer.objects.filter(external_id__in=ids)
    existing = {customer.external_id: customer for customer in (found if dry_run else found.select_for_update())}
    owner_ids = {row["owner_id"] for row in rows if row.get("owner_id")}
    owner_ids |= {customer.owner_id for customer in existing.values() if customer.owner_id}
    usernames = dict(User.objects.filter(pk__in=owner_ids).values_list("pk", "username")) if owner_ids else {}
    to_create, to_update, changes = [], [], []
    for row in rows:
        values = _only_writable(row)
        customer = existing.get(row["external_id"])
        if customer is None:
            customer = Customer(**values)
            _validate(customer, values)
            to_create.append(customer)
            continue
        diff = _apply(customer, values, usernames)
        if diff:
            _validate(customer, values)
            to_update.append(customer)
            changes.append(
                _change(customer, ChangeAction.UPDATED, diff, user=user, source=source, source_ref=source_ref)
            )
    result = UpsertResult(
        created=len(to_create), updated=len(to_update), unchanged=len(rows) - len(to_create) - len(to_update)
    )
    if dry_run:
        return result
    objects_insert(Customer, to_create)
    if to_update:
        Customer.objects.bulk_create(
            to_update,
            update_conflicts=True,
            unique_fields=["external_id"],
            update_fields=[
                *{Customer._meta.get_field(name).name for name in WRITABLE_FIELDS} - {"external_id"},
                "updated_at",
            ],
        )
    changes += [
        _change(c, ChangeAction.CREATED, {}, user=user, source=source, source_ref=source_ref) for c in to_create
    ]
    objects_insert(CustomerChange, changes)
    _rescore_after_commit([customer.pk for customer in (*to_create, *to_update)])
    return result


def _rescore_after_commit(customer_ids: list[int]) -> None:
    """Tell the apps above that these customers changed (customers.signals): rubrics refreshes its scores'
    copies of their fields in this transaction, so a lead claimed or reassigned is on its new owner's list on
    the next page, and re-scores them once this commits."""
    customers_changed.send(sender=Customer, customer_ids=[pk for pk in customer_ids if pk is not None])


def _only_writable(values: dict) -> dict:
    unknown = set(values) - set(WRITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not customer fields: {sorted(unknown)}")
    return values


def _apply(customer: Customer, values: dict, usernames: dict[int, str] | None = None) -> dict:
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


def _validate(customer: Customer, values: dict) -> None:
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


def _change(customer, action, diff, *, user, source, source_ref) -> CustomerChange:
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


def customer_bulk_insert(*, rows: Iterable[tuple], columns: tuple[str, ...]) -> int:
    """Insert plain rows in batches: COPY on PostgreSQL, executemany elsewhere.

    Both timestamps are set to now. Returns the number of rows inserted. For
    demo data and benchmarks: it records no change history.
    """
    table = connection.ops.quote_name(Customer._meta.db_table)
    all_columns = (*columns, "created_at", "updated_at")
    column_list = ", ".join(connection.ops.quote_name(column) for column in all_columns)
    now = timezone.now()
    inserted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, now, now))
                    inserted += 1
            return inserted
        placeholders = ", ".join(["%s"] * len(all_columns))
        sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"
        rows = iter(rows)
        while batch := [(*row, now, now) for row in islice(rows, INSERT_BATCH)]:
            cursor.executemany(sql, batch)
            inserted += len(batch)
    return inserted


@transaction.atomic
def customer_demo_seed(*, count: int, seed: int, owner_ids: list[int]) -> int:
    """Replace the whole customer base with ``count`` deterministic demo customers."""
    if count < 0:
        raise ValueError("The number of customers cannot be negative.")
    customer_base_clear()
    with indexes_deferred(Customer):
        return customer_bulk_insert(rows=demo_customer_rows(count, seed, owner_ids), columns=DEMO_COLUMNS)


def customer_base_clear() -> None:
    """Delete the whole customer base with everything that points at it (scores, history).

    For reloading demo data and benchmarks only: nothing is recorded.
    """
    table = connection.ops.quote_name(Customer._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Checks of deferred foreign keys still pending in this transaction would block TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
        else:
            # No TRUNCATE ... CASCADE here: empty the tables that point at customers first.
            for relation in Customer._meta.related_objects:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(relation.related_model._meta.db_table)}")
            cursor.execute(f"DELETE FROM {table}")
