"""Writes about profiles: their items (with history), exemplars and checklist."""

from django.db import transaction

from teams.models import User

from .models import ItemStatus, Profile, ProfileItem, ProfileItemChange, Section


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
    """Add an item to a profile section (plain text), with its first history entry."""
    if section not in Section.values:
        raise ValueError(f"not a profile section: {section}")
    if status not in ItemStatus.values:
        raise ValueError(f"not an item status: {status}")
    text = text.strip()
    position = ProfileItem.objects.filter(profile=profile, section=section).count()
    item = ProfileItem.objects.create(
        profile=profile,
        section=section,
        text=text,
        details=details or {},
        status=status,
        author=author,
        position=position,
    )
    ProfileItemChange.objects.create(
        item=item, changed_by=author, status=status, text=text, details=item.details, note=note
    )
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
        "details": item.details if details is None else details,
        "status": item.status if status is None else status,
    }
    if new == {"text": item.text, "details": item.details, "status": item.status}:
        return item
    for name, value in new.items():
        setattr(item, name, value)
    item.revision += 1
    item.save()
    ProfileItemChange.objects.create(item=item, changed_by=user, note=note, **new)
    return item
