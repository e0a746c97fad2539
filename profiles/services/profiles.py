"""A profile itself: created, its agreement date and review date, its checklist.

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

from teams.models import User

from ..models import (
    REVIEW_AFTER,
    ChecklistMark,
    ChecklistStep,
    Profile,
)


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
def profile_review_set(*, profile: Profile, review_on: datetime.date | None) -> Profile:
    """Move the review date; the reminder is sent again when the new date is reached."""
    if review_on != profile.review_on:
        profile.review_on = review_on
        profile.review_reminded_on = None
        profile.save(update_fields=["review_on", "review_reminded_on"])
    return profile


def checklist_mark_set(*, profile: Profile, step: str, done: bool, user: User | None) -> None:
    """Mark a checklist step done by hand, or take the mark back (a step derived from agreed items stays done)."""
    if step not in ChecklistStep.values:
        raise ValueError(f"not a checklist step: {step}")
    if done:
        ChecklistMark.objects.get_or_create(profile=profile, step=step, defaults={"marked_by": user})
    else:
        ChecklistMark.objects.filter(profile=profile, step=step).delete()
