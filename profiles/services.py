"""Writes about profiles: their items (with history), exemplars, checklist and review date.

The agreement rule: whenever an item or an exemplar of a profile becomes agreed,
the profile's ``agreed_at`` is now, and its ``review_on`` becomes a year from
today if it is empty or already past (a review date still ahead is kept).
Moving ``review_on`` clears ``review_reminded_on``, so the next reminder goes out
when the new date is reached.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from teams.models import User

from .models import (
    REVIEW_AFTER,
    ChecklistMark,
    ChecklistStep,
    Exemplar,
    ExemplarReason,
    ItemStatus,
    Profile,
    ProfileItem,
    ProfileItemChange,
    Section,
)
from .sections import details_clean


class ItemChangedMeanwhile(Exception):
    """Someone changed the item after the person loaded it; their edit was not saved."""

    def __init__(self, item: ProfileItem):
        super().__init__(f"Someone changed “{item.text[:40]}” meanwhile.")
        self.item = item


@transaction.atomic
def profile_item_add(
    *,
    profile: Profile,
    section: str,
    text: str,
    author: User | None,
    details: dict | None = None,
    status: str = ItemStatus.PROPOSED,
    note: str = "",
) -> ProfileItem:
    """Add an item to a profile section (plain text, and the section's parts checked by details_clean), with its
    first history entry."""
    if section not in Section.values:
        raise ValueError(f"not a profile section: {section}")
    if status not in ItemStatus.values:
        raise ValueError(f"not an item status: {status}")
    details = details_clean(section, details)
    text = text.strip()
    position = ProfileItem.objects.filter(profile=profile, section=section).count()
    item = ProfileItem.objects.create(
        profile=profile,
        section=section,
        text=text,
        details=details,
        status=status,
        author=author,
        position=position,
    )
    ProfileItemChange.objects.create(
        item=item, changed_by=author, status=status, text=text, details=item.details, note=note
    )
    if status == ItemStatus.AGREED:
        profile_agreement_record(profile=profile)
    return item


@transaction.atomic
def profile_item_update(
    *,
    item: ProfileItem,
    user: User | None,
    revision: int | None = None,
    text: str | None = None,
    details: dict | None = None,
    status: str | None = None,
    note: str = "",
) -> ProfileItem:
    """Change an item's text, details or status; with ``revision`` (what the person saw) a stale edit raises
    ItemChangedMeanwhile. Nothing is written when nothing changes."""
    item = ProfileItem.objects.select_for_update().get(pk=item.pk)
    if revision is not None and item.revision != revision:
        raise ItemChangedMeanwhile(item)
    if status is not None and status not in ItemStatus.values:
        raise ValueError(f"not an item status: {status}")
    new = {
        "text": item.text if text is None else text.strip(),
        "details": item.details if details is None else details_clean(item.section, details),
        "status": item.status if status is None else status,
    }
    if new == {"text": item.text, "details": item.details, "status": item.status}:
        return item
    became_agreed = new["status"] == ItemStatus.AGREED and item.status != ItemStatus.AGREED
    for name, value in new.items():
        setattr(item, name, value)
    item.revision += 1
    item.save()
    ProfileItemChange.objects.create(item=item, changed_by=user, note=note, **new)
    if became_agreed:
        profile_agreement_record(profile=item.profile)
    return item


def profile_agreement_record(*, profile: Profile, now: datetime.datetime | None = None) -> None:
    """The agreement rule (see the module's docstring)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    profile.refresh_from_db(fields=["review_on", "review_reminded_on"])
    profile.agreed_at = now
    fields = ["agreed_at"]
    if profile.review_on is None or profile.review_on < today:
        profile.review_on = today + REVIEW_AFTER
        profile.review_reminded_on = None
        fields += ["review_on", "review_reminded_on"]
    profile.save(update_fields=fields)


def profile_create(*, name: str, description: str = "", user: User | None) -> Profile:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the profile a name."})
    if Profile.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A profile named “{name}” already exists."})
    return Profile.objects.create(name=name, description=description.strip(), created_by=user)


@transaction.atomic
def profile_item_propose(
    *,
    profile: Profile,
    section: str,
    text: str,
    author: User | None,
    details: dict | None = None,
    status: str = ItemStatus.PROPOSED,
) -> tuple[ProfileItem, bool]:
    """Add an item from the profile page, unless the section already has one with the same text.

    Returns (the item, whether it was created). A double submit, or two people
    proposing the same words, gives one item: the profile row is locked while
    checking, so two requests at once cannot both add it.
    """
    Profile.objects.select_for_update().get(pk=profile.pk)
    existing = ProfileItem.objects.filter(profile=profile, section=section, text__iexact=text.strip()).first()
    if existing is not None:
        return existing, False
    item = profile_item_add(profile=profile, section=section, text=text, author=author, details=details, status=status)
    return item, True


@transaction.atomic
def profile_review_set(*, profile: Profile, review_on: datetime.date | None) -> Profile:
    """Move the review date; the reminder is sent again when the new date is reached."""
    if review_on != profile.review_on:
        profile.review_on = review_on
        profile.review_reminded_on = None
        profile.save(update_fields=["review_on", "review_reminded_on"])
    return profile


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


def checklist_mark_set(*, profile: Profile, step: str, done: bool, user: User | None) -> None:
    """Mark a checklist step done by hand, or take the mark back (a step derived from agreed items stays done)."""
    if step not in ChecklistStep.values:
        raise ValueError(f"not a checklist step: {step}")
    if done:
        ChecklistMark.objects.get_or_create(profile=profile, step=step, defaults={"marked_by": user})
    else:
        ChecklistMark.objects.filter(profile=profile, step=step).delete()
