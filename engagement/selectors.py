"""Reads of engagement: an account's daily counts by age, the event types, recent events."""

import datetime
from dataclasses import dataclass, field

from .models import DailyCount, Event, EventType


@dataclass(frozen=True)
class EngagementDays:
    """An account's daily counts: by event type key, (age in days, count) pairs; whether it has any at all."""

    by_type: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    has_events: bool = False

    def events_of(self, event_type: str) -> int:
        return sum(count for age, count in self.by_type.get(event_type, ()) if age >= 0)


def engagement_days(*, customer_id: int, today: datetime.date | None = None) -> EngagementDays:
    """The account's daily counts with their age on ``today`` (UTC), as scoring reads them."""
    today = today or datetime.datetime.now(datetime.UTC).date()
    rows = DailyCount.objects.filter(customer_id=customer_id).values_list("event_type__key", "day", "count")
    by_type: dict[str, list[tuple[int, int]]] = {}
    has_events = False
    for key, day, count in rows.order_by("event_type__key", "-day"):
        has_events = True
        by_type.setdefault(key, []).append(((today - day).days, count))
    return EngagementDays({key: tuple(days) for key, days in by_type.items()}, has_events)


def event_types():
    return EventType.objects.order_by("name")


def recent_events(*, customer_id: int, limit: int = 20):
    return Event.objects.filter(customer_id=customer_id).select_related("event_type").order_by("-occurred_at")[:limit]
