"""Profiles for tests: a profile, an item in one of its sections."""

import itertools

from profiles.models import ItemStatus, Profile, ProfileItem
from profiles.services.items import profile_item_add

_numbers = itertools.count(1)


def make_profile(**fields) -> Profile:
    fields.setdefault("name", f"Profile {next(_numbers)}")
    return Profile.objects.create(**fields)


def make_item(
    profile: Profile | None = None, *, section="pain_points", text="Manual reporting", author=None, status=None
) -> ProfileItem:
    return profile_item_add(
        profile=profile or make_profile(),
        section=section,
        text=text,
        author=author,
        status=status or ItemStatus.PROPOSED,
    )
