"""Reads about profiles: the profile page's sections, the checklist's facts, the agreed outline, the review due."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from customers.models import Customer
from teams.models import Role, User

from .checklist import ChecklistFacts, ChecklistRow, checklist_rows
from .models import ChecklistMark, Exemplar, ItemStatus, Profile, ProfileItem, Section
from .sections import TABLE_COLUMNS

CUSTOMER_MATCHES = 20


@dataclass(frozen=True)
class ProfileSection:
    section: str
    label: str
    items: list[ProfileItem]

    @property
    def is_structured(self) -> bool:
        """Its items are shown as a table, one column per part."""
        return self.section in TABLE_COLUMNS

    @property
    def headings(self) -> list[str]:
        return [heading for _, heading in TABLE_COLUMNS.get(self.section, ())]


def profile_list() -> QuerySet[Profile]:
    return Profile.objects.annotate(
        item_count=Count("items", distinct=True),
        agreed_count=Count("items", filter=Q(items__status=ItemStatus.AGREED), distinct=True),
    ).order_by("name")


def profile_sections(profile: Profile, *, agreed_only: bool = False) -> list[ProfileSection]:
    """Every section in the order of Section, with its items (agreed ones only if asked)."""
    items = (
        ProfileItem.objects.filter(profile=profile)
        .select_related("author")
        .annotate(change_count=Count("changes"))
        .order_by("position", "id")
    )
    if agreed_only:
        items = items.filter(status=ItemStatus.AGREED)
    by_section: dict[str, list[ProfileItem]] = {}
    for item in items:
        by_section.setdefault(item.section, []).append(item)
    return [
        ProfileSection(section=value, label=label, items=by_section.get(value, [])) for value, label in Section.choices
    ]


def item_history(item: ProfileItem) -> QuerySet:
    return item.changes.select_related("changed_by")


def profile_exemplars(profile: Profile, *, agreed_only: bool = False) -> QuerySet[Exemplar]:
    exemplars = Exemplar.objects.filter(profile=profile).select_related("customer", "added_by")
    return exemplars.filter(status=ItemStatus.AGREED) if agreed_only else exemplars


def profile_checklist(profile: Profile) -> list[ChecklistRow]:
    agreed_sections = ProfileItem.objects.filter(profile=profile, status=ItemStatus.AGREED).values_list(
        "section", flat=True
    )
    facts = ChecklistFacts(
        agreed_sections=frozenset(agreed_sections.distinct()),
        agreed_exemplars=Exemplar.objects.filter(profile=profile, status=ItemStatus.AGREED).count(),
        # Through the rubrics' relation to the profile: profiles sits below rubrics and never imports it.
        has_published_rubric=profile.rubrics.filter(versions__status="published").exists(),
        marked_steps=frozenset(ChecklistMark.objects.filter(profile=profile).values_list("step", flat=True)),
    )
    return checklist_rows(facts)


def profile_review_due(profile: Profile, today: datetime.date | None = None) -> bool:
    return profile.review_on is not None and profile.review_on <= (today or timezone.localdate())


def profiles_due_for_review(today: datetime.date) -> QuerySet[Profile]:
    """Profiles whose review date is reached and whose reminder for that date has not gone out."""
    return Profile.objects.filter(review_on__lte=today).exclude(review_reminded_on__gte=F("review_on"))


def review_recipients() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=(Role.ADMIN, Role.FACILITATOR)).exclude(email="")


def customer_matches(profile: Profile, query: str) -> QuerySet[Customer]:
    """Customers whose name contains ``query``, not yet exemplars of the profile, by name."""
    query = query.strip()
    if not query:
        return Customer.objects.none()
    taken = Exemplar.objects.filter(profile=profile).values("customer_id")
    return (
        Customer.objects.filter(name__icontains=query).exclude(pk__in=taken).order_by("name", "pk")[:CUSTOMER_MATCHES]
    )
