"""A profile's items: added, edited with their history, proposed (from a workshop or a person).

An item that becomes agreed moves the profile's agreement and review dates (the rule is in profiles.py).
"""

from django.db import transaction

from teams.models import User

from ..models import (
    ItemStatus,
    Profile,
    ProfileItem,
    ProfileItemChange,
    Section,
)
from ..sections import details_clean
from .profiles import profile_agreement_record


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
