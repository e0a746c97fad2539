"""Many customers at once by their external id (the API's bulk endpoint, imports): created or updated in
set-based batches, each change recorded; a dry run counts what would happen.

Upserts commit one at a time (a named lock their transactions hold, ops.locks): two of them bringing the same
new external ids, two API calls or an API call and an import, would otherwise both insert them, and the
later would fail on the unique external id once the earlier commits. The later waits, then updates; a caller
that must answer in time (the API) waits at most ``lock_wait`` seconds, then gets ops.locks.LockBusy.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import transaction

from ops.locks import lock_for_transaction
from teams.models import User

from ..bulk import objects_insert
from ..models import ChangeAction, Customer, CustomerChange
from .categories import spellings_unify
from .changes import (
    WRITABLE_FIELDS,
    change_new,
    customers_changed_announce,
    values_apply,
    values_validate,
    writable_only,
)

WRITE_BATCH = 1_000
UPSERT_LOCK = "customers:upsert"


@dataclass(frozen=True)
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: "UpsertResult") -> "UpsertResult":
        return UpsertResult(
            self.created + other.created, self.updated + other.updated, self.unchanged + other.unchanged
        )


def customers_upsert(
    *,
    rows: Iterable[dict],
    user: User | None,
    source: str,
    source_ref: str = "",
    batch_size: int = WRITE_BATCH,
    dry_run: bool = False,
    lock_wait: float | None = None,
    spellings: dict | None = None,
) -> UpsertResult:
    """Create or update customers by external id, in set-based batches.

    Each row maps field attnames to clean values and must have ``external_id``;
    fields a row leaves out keep their value. A row that changes nothing writes
    nothing. Raises ValidationError (naming the external id) for an invalid row;
    run it inside a transaction to make all batches one unit. ``dry_run`` counts
    what would happen and writes nothing. Category values take their one
    spelling (categories.py); a dry run registers none, so it carries what it
    found from batch to batch in ``spellings``, which a dry run made of several
    calls (an import's check, a batch a call) passes to each.
    """
    result = UpsertResult()
    rows = iter(rows)
    if dry_run and spellings is None:
        spellings = {}
    while batch := list(islice(rows, batch_size)):
        result += _upsert_batch(
            batch,
            user=user,
            source=source,
            source_ref=source_ref,
            dry_run=dry_run,
            lock_wait=lock_wait,
            spellings=spellings if dry_run else None,
        )
    return result


@transaction.atomic
def _upsert_batch(rows: list[dict], *, user, source, source_ref, dry_run, lock_wait, spellings) -> UpsertResult:
    """1. lock the rows that exist; 2. work out creates and real changes; 3. write each kind in one statement."""
    ids = [row["external_id"] for row in rows]
    if len(set(ids)) != len(ids):
        raise ValidationError("The same external id appears twice in one batch.")
    if not dry_run:
        lock_for_transaction(UPSERT_LOCK, wait=lock_wait)
    rows = spellings_unify(rows, register=not dry_run, resolved=spellings)
    found = Customer.objects.filter(external_id__in=ids)
    existing = {customer.external_id: customer for customer in (found if dry_run else found.select_for_update())}
    owner_ids = {row["owner_id"] for row in rows if row.get("owner_id")}
    owner_ids |= {customer.owner_id for customer in existing.values() if customer.owner_id}
    usernames = dict(User.objects.filter(pk__in=owner_ids).values_list("pk", "username")) if owner_ids else {}
    to_create, to_update, changes = [], [], []
    for row in rows:
        values = writable_only(row)
        customer = existing.get(row["external_id"])
        if customer is None:
            customer = Customer(**values)
            values_validate(customer, values)
            to_create.append(customer)
            continue
        diff = values_apply(customer, values, usernames)
        if diff:
            values_validate(customer, values)
            to_update.append(customer)
            changes.append(
                change_new(customer, ChangeAction.UPDATED, diff, user=user, source=source, source_ref=source_ref)
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
        change_new(c, ChangeAction.CREATED, {}, user=user, source=source, source_ref=source_ref) for c in to_create
    ]
    objects_insert(CustomerChange, changes)
    customers_changed_announce([customer.pk for customer in (*to_create, *to_update)])
    return result
