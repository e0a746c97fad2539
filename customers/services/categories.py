"""One spelling per category value (industry, country, region), whatever way a customer is written: forms, the
API, imports.

Two spellings are the same value when they have the same letters once spaces are removed and case is folded
(``category_key``): `COMPUTER SOFTWARE`, `Computer Software` and `computer  software` are one industry. The
first spelling stored becomes the one every later spelling is stored as (``CategorySpelling``); an admin may
merge two spellings into one (``category_merge``), which rewrites the customers that had the other and
re-scores them. Lifecycle stages need none of this: they are a fixed list, read in any case and wording.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from ops.locks import lock_for_transaction
from teams.models import User

from ..bulk import objects_insert
from ..models import CATEGORY_FIELDS, CategorySpelling, ChangeAction, ChangeSource, Customer, CustomerChange
from ..selectors import distinct_values
from .changes import change_new, customers_changed_announce


def category_key(text: str) -> str:
    return "".join(text.split()).casefold()


def _tidy(text: str) -> str:
    return " ".join(text.split())


def spellings_unify(rows: list[dict], *, register: bool = True, resolved: dict | None = None) -> list[dict]:
    """``rows`` (field attnames to values) with each category value in its canonical spelling:

    1. the spelling registered for its key;
    2. else the spelling customers stored first (lowest id) with that key: rows stored before the registry
       existed, or filled wholesale (demo data, benchmarks);
    3. else its own, spaces tidied: the first spelling stored becomes the canonical one.

    New keys are registered (unless ``register`` is false: a dry run counts, it writes nothing). Two writers
    registering the same new key at once agree on the one that committed first.

    ``resolved`` (field -> key -> spelling) carries what earlier batches of the same dry run found, consulted
    first and added to: registering nothing, each batch would otherwise look every key missing from the registry
    up in the customers again (a read of every customer's values: 51 of a 100,000-row check's 63 s on a base
    filled wholesale).
    """
    rows = [dict(row) for row in rows]
    for field in CATEGORY_FIELDS:
        given = {}
        for row in rows:
            if isinstance(row.get(field), str) and row[field].strip():
                given.setdefault(category_key(row[field]), _tidy(row[field]))
        if not given:
            continue
        earlier = resolved.setdefault(field, {}) if resolved is not None else {}
        known = {key: earlier[key] for key in given if key in earlier}
        if to_look_up := [key for key in given if key not in known]:
            known.update(_registered(field, to_look_up))
        missing = {key: spelling for key, spelling in given.items() if key not in known}
        if missing:
            found = {**missing, **_spellings_in_use(field, set(missing))}
            if register:
                CategorySpelling.objects.bulk_create(
                    [CategorySpelling(field=field, key=key, spelling=spelling) for key, spelling in found.items()],
                    ignore_conflicts=True,
                )
                found = {**found, **_registered(field, found)}
            known.update(found)
        earlier.update(known)
        for row in rows:
            if isinstance(row.get(field), str) and row[field].strip():
                row[field] = known[category_key(row[field])]
    return rows


def _registered(field: str, keys) -> dict[str, str]:
    return dict(CategorySpelling.objects.filter(field=field, key__in=list(keys)).values_list("key", "spelling"))


def _spellings_in_use(field: str, keys: set[str]) -> dict[str, str]:
    """For each of ``keys`` some customers store, the spelling stored first."""
    spellings = [value for value in distinct_values(field) if category_key(value) in keys]
    # Each spelling's first customer on its own: PostgreSQL answers a MIN(id) from an index, where grouping every
    # customer with one of them by spelling read them all (0.2 s a field on the 1M base, against 5 ms).
    firsts = [
        (Customer.objects.filter(**{field: spelling}).aggregate(first=Min("id"))["first"], spelling)
        for spelling in spellings
    ]
    found: dict[str, str] = {}
    for _, spelling in sorted((first, spelling) for first, spelling in firsts if first is not None):  # none: gone
        found.setdefault(category_key(spelling), _tidy(spelling))
    return found


@transaction.atomic
def category_merge(*, field: str, spelling: str, into: str, user: User | None) -> int:
    """Store ``spelling`` of ``field`` (and every spelling that reads the same) as ``into`` from now on:
    customers that had it are rewritten, each change recorded, and re-scored. Returns how many changed.

    1. one merge of a field at a time (a lock the transaction holds);
    2. the spellings to replace: ``spelling``, what its key and ``into``'s are registered as, and what
       customers store with those keys;
    3. the registry points every key stored as one of them at ``into``, so later writes use it;
    4. the customers with one of them take ``into``: recorded, announced (their scores' copies now, their
       re-score once this commits).

    A spelling no customer stores any more (the same merge sent twice, a stale page) changes no customer.
    ``into`` may read the same as ``spelling``: that respells the value ("RETAIL" as "Retail").
    """
    if field not in CATEGORY_FIELDS:
        raise ValidationError(f"“{field}” is not a category field.")
    spelling, into = _tidy(spelling or ""), _tidy(into or "")
    if not spelling or not into:
        raise ValidationError("Choose the spelling to replace and the spelling to keep.")
    if spelling == into:
        raise ValidationError(f"“{spelling}” is already spelled that way: choose another spelling to keep.")
    if len(into) > Customer._meta.get_field(field).max_length:
        raise ValidationError("The spelling to keep is too long.")
    lock_for_transaction(f"categories:{field}")
    keys = {category_key(spelling), category_key(into)}
    replaced = {spelling} | set(
        CategorySpelling.objects.filter(field=field, key__in=keys).values_list("spelling", flat=True)
    )
    replaced |= {value for value in distinct_values(field) if category_key(value) in keys}
    CategorySpelling.objects.bulk_create(
        [CategorySpelling(field=field, key=key, spelling=into) for key in keys], ignore_conflicts=True
    )
    CategorySpelling.objects.filter(field=field).filter(key__in=keys).update(
        spelling=into, merged_by=user, updated_at=timezone.now()
    )
    CategorySpelling.objects.filter(field=field, spelling__in=replaced).update(
        spelling=into, merged_by=user, updated_at=timezone.now()
    )
    return _customers_respell(field, replaced - {into}, into, user)


def _customers_respell(field: str, spellings: set[str], into: str, user: User | None) -> int:
    touched = list(Customer.objects.select_for_update().filter(**{f"{field}__in": spellings}).order_by("pk"))
    if not touched:
        return 0
    changes = [
        change_new(
            customer,
            ChangeAction.UPDATED,
            {field: [getattr(customer, field), into]},
            user=user,
            source=ChangeSource.WEB,
            source_ref=f"{field} spellings merged",
        )
        for customer in touched
    ]
    ids = [customer.pk for customer in touched]
    Customer.objects.filter(pk__in=ids).update(**{field: into, "updated_at": timezone.now()})
    objects_insert(CustomerChange, changes)
    customers_changed_announce(ids)
    return len(ids)
