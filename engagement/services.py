"""Writes of engagement: event types kept by admins, events ingested set-based, the retention applied.

``events_parse`` turns a batch as senders write it (a list of JSON objects, or CSV rows made into them) into
events ready to write, or raises ``EventsRejected`` with the messages of every bad event (nothing is written
for a batch with one bad event). ``events_ingest`` writes a batch in one statement on PostgreSQL: the events
(a resent one, same account, id and time, is skipped by the unique key) and, for the new ones only, the daily
counts (INSERT ... ON CONFLICT DO UPDATE count = count + excluded.count); then it says which accounts changed
(``signals.engagement_changed``), so their scores follow after the commit.
"""

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models.functions import Upper
from django.utils.dateparse import parse_datetime

from customers.models import Customer
from ops.text import text_problem

from .models import DailyCount, Event, EventType
from .partitions import event_partitions_ensure, event_partitions_ready, retention_start
from .signals import engagement_changed

MAX_BATCH = 1_000
FUTURE_SLACK = datetime.timedelta(minutes=5)  # a sender's clock a little ahead is not an error
SOURCE_ID_MAX = 100
CONTACT_MAX = 200
FIELDS = {"id", "external_id", "domain", "type", "occurred_at", "contact"}


class NewEvent(NamedTuple):
    """An event checked and ready to write: a tuple, made in half the time of a frozen dataclass (a thousand per
    batch)."""

    customer_id: int
    event_type_id: int
    occurred_at: datetime.datetime  # aware, UTC
    contact: str
    source_id: str


@dataclass
class Ingested:
    received: int = 0
    new: int = 0
    customer_ids: list[int] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.received - self.new


class EventsRejected(Exception):
    """Some events of a batch are wrong: ``errors`` lists them as {"index": i, "messages": [...]}."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} event(s) rejected")
        self.errors = errors


# --- Event types ---------------------------------------------------------------------------------

# The types every installation starts with (the migration adds them too, with its own copy of this list).
DEFAULT_TYPES = [
    ("website_visit", "Website visit", "A page view on the website."),
    ("email_open", "Email open", "An email opened."),
    ("email_click", "Email click", "A link in an email clicked."),
    ("form_fill", "Form fill", "A form filled on the website."),
    ("meeting", "Meeting", "A meeting held."),
    ("social_engagement", "Social engagement", "A like, share, comment or mention on social media."),
    ("product_signup", "Product sign-up", "A sign-up for the product or a trial."),
]


def event_types_default_ensure() -> None:
    """The default event types, added where missing (a test database flushed after its migrations has none)."""
    for key, name, description in DEFAULT_TYPES:
        EventType.objects.get_or_create(key=key, defaults={"name": name, "description": description})


def event_type_save(*, event_type: EventType | None = None, key: str, name: str, description: str = "") -> EventType:
    """A new event type, or ``event_type`` changed (its key too: criteria name types by key, so the form
    warns)."""
    event_type = event_type or EventType()
    event_type.key, event_type.name, event_type.description = key.strip(), name.strip(), description.strip()
    event_type.full_clean()
    event_type.save()
    return event_type


# --- Parsing --------------------------------------------------------------------------------------


def _text(value, name: str, limit: int, messages: list[str], required: bool) -> str:
    if type(value) is str:  # the usual case, checked first: text that is right as it is
        text = value.strip()
        if text and len(text) <= limit and text_problem(text) is None:
            return text
    if value is None or value == "":
        if required:
            messages.append(f"{name}: required")
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        messages.append(f"{name}: must be text")
        return ""
    text = str(value).strip()
    if (problem := text_problem(text)) is not None:
        messages.append(f"{name}: {problem}")
        return ""
    if required and not text:
        messages.append(f"{name}: required")
    if len(text) > limit:
        messages.append(f"{name}: longer than {limit} characters")
    return text


def _time(
    value, window: tuple[datetime.datetime, datetime.datetime], messages: list[str], naive_utc: bool = False
) -> datetime.datetime | None:
    """The time as an aware UTC datetime within ``window`` (the oldest kept, the latest accepted)."""
    if not isinstance(value, str) or not value.strip():
        messages.append("occurred_at: required, an ISO 8601 date and time with its offset (2026-12-07T09:30:00Z)")
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)  # the usual case, in C; Django's parser for the rest
    except ValueError:
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        messages.append(f"occurred_at: “{value[:40]}” is not an ISO 8601 date and time (2026-12-07T09:30:00Z)")
        return None
    if moment.tzinfo is None and naive_utc:
        moment = moment.replace(tzinfo=datetime.UTC)
    if moment.tzinfo is None:
        messages.append("occurred_at: give the offset (Z for UTC, or +02:00)")
        return None
    try:
        moment = moment.astimezone(datetime.UTC)
    except OverflowError:
        messages.append("occurred_at: this date and time is out of range")
        return None
    oldest, latest = window
    if moment > latest:
        messages.append(f"occurred_at: {moment.isoformat()} is in the future")
        return None
    if moment < oldest:
        messages.append(f"occurred_at: {moment.isoformat()} is older than the events kept (from {oldest.date()})")
        return None
    return moment


def _accounts(items: list[dict]) -> tuple[dict[str, int], dict[str, list[int]]]:
    """The customers a batch names: by external id, and by upper-cased domain, in two queries."""
    external_ids = {str(item.get("external_id")).strip() for item in items if item.get("external_id")}
    domains = {str(item.get("domain")).strip().upper() for item in items if not item.get("external_id")}
    domains.discard("")
    # Text the database cannot hold (a NUL, a lone surrogate) is refused by _account, never looked up.
    external_ids = {key for key in external_ids if text_problem(key) is None}
    domains = {domain for domain in domains if text_problem(domain) is None}
    by_external_id = {}
    if external_ids:
        # One JSON parameter, where ``external_id__in`` would write and adapt a placeholder per id.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT external_id, id FROM {Customer._meta.db_table} WHERE external_id IN"
                + (
                    " (SELECT jsonb_array_elements_text(%s::jsonb))"
                    if connection.vendor == "postgresql"
                    else " (SELECT value FROM json_each(%s))"
                ),
                [json.dumps(sorted(external_ids))],
            )
            by_external_id = dict(cursor.fetchall())
    by_domain: dict[str, list[int]] = {}
    if domains:
        found = Customer.objects.annotate(domain_upper=Upper("domain")).filter(domain_upper__in=domains)
        for domain, customer_id in found.values_list("domain_upper", "pk")[: len(domains) * 5]:
            by_domain.setdefault(domain, []).append(customer_id)
    return by_external_id, by_domain


def _account(item: dict, by_external_id, by_domain, messages: list[str]) -> int | None:
    external_id = item.get("external_id")
    if external_id not in (None, ""):
        key = str(external_id).strip()
        if key in by_external_id:  # found, so checked already: _accounts looks up no refused text
            return by_external_id[key]
        if (problem := text_problem(key)) is not None:
            messages.append(f"external_id: {problem}")
            return None
        if key not in by_external_id:
            messages.append(f"external_id: no customer with external id “{key[:64]}”")
            return None
        return by_external_id[key]
    domain = item.get("domain")
    if domain in (None, "") or not isinstance(domain, str):
        messages.append("account: give the customer's external_id or its domain")
        return None
    if (problem := text_problem(domain)) is not None:
        messages.append(f"domain: {problem}")
        return None
    matches = by_domain.get(domain.strip().upper(), [])
    if not matches:
        messages.append(f"domain: no customer with domain “{domain.strip()[:200]}”")
        return None
    if len(matches) > 1:
        messages.append(f"domain: “{domain.strip()}” belongs to several customers: give the external_id")
        return None
    return matches[0]


def events_sort(
    items: list, *, now: datetime.datetime | None = None, naive_utc: bool = False
) -> tuple[list[tuple[int, NewEvent]], list[dict]]:
    """(the good events with their index, the bad ones as {"index": i, "messages": [...]}), in a few queries."""
    now = now or datetime.datetime.now(datetime.UTC)
    window = (
        datetime.datetime.combine(retention_start(now.date()), datetime.time(), tzinfo=datetime.UTC),
        now + FUTURE_SLACK,
    )
    objects = [item if isinstance(item, dict) else {} for item in items]
    types = dict(EventType.objects.values_list("key", "pk"))
    by_external_id, by_domain = _accounts(objects)
    events, errors = [], []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append({"index": index, "messages": ["must be an object"]})
            continue
        messages = [] if item.keys() <= FIELDS else [f"{name}: unknown field" for name in sorted(set(item) - FIELDS)]
        customer_id = _account(item, by_external_id, by_domain, messages)
        # A known type's key is clean text (admins' keys are validated): only an unknown one is looked at closer.
        type_value = item.get("type")
        event_type_id = types.get(type_value) if type(type_value) is str else None
        if event_type_id is None:
            type_key = _text(type_value, "type", 50, messages, required=True)
            event_type_id = types.get(type_key)
            if type_key and event_type_id is None:
                messages.append(f"type: no event type “{type_key}” (known: {', '.join(sorted(types))})")
        occurred_at = _time(item.get("occurred_at"), window, messages, naive_utc)
        source_id = _text(item.get("id"), "id", SOURCE_ID_MAX, messages, required=True)
        contact = _text(item.get("contact"), "contact", CONTACT_MAX, messages, required=False)
        if messages:
            errors.append({"index": index, "messages": messages})
            continue
        events.append((index, NewEvent(customer_id, event_type_id, occurred_at, contact, source_id)))
    return events, errors


def events_parse(items, *, now: datetime.datetime | None = None) -> list[NewEvent]:
    """A batch's events, ready to write; EventsRejected with every bad event's messages if any is bad."""
    if not isinstance(items, list):
        raise EventsRejected([{"index": None, "messages": ["events: must be a list of events"]}])
    if not items:
        raise EventsRejected([{"index": None, "messages": ["events: the batch is empty"]}])
    if len(items) > MAX_BATCH:
        raise EventsRejected(
            [{"index": None, "messages": [f"events: at most {MAX_BATCH:,} per batch, this one has {len(items):,}"]}]
        )
    events, errors = events_sort(items, now=now)
    if errors:
        raise EventsRejected(errors)
    return [event for _, event in events]


# --- Writing --------------------------------------------------------------------------------------

INGEST_POSTGRESQL = """
WITH incoming AS (
    SELECT (e->>0)::bigint AS customer_id, (e->>1)::bigint AS event_type_id,
        to_timestamp((e->>2)::float8) AS occurred_at, e->>3 AS contact, e->>4 AS source_id
    FROM jsonb_array_elements(%s::jsonb) AS e
), new AS (
    INSERT INTO engagement_event (customer_id, event_type_id, occurred_at, contact, source_id, received_at)
    SELECT customer_id, event_type_id, occurred_at, contact, source_id, now() FROM incoming
    ON CONFLICT (customer_id, source_id, occurred_at) DO NOTHING
    RETURNING customer_id, event_type_id, occurred_at
), counted AS (
    INSERT INTO engagement_dailycount (customer_id, event_type_id, day, count)
    SELECT customer_id, event_type_id, (occurred_at AT TIME ZONE 'UTC')::date, count(*) FROM new
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (customer_id, event_type_id, day) DO UPDATE SET count = engagement_dailycount.count + excluded.count
)
SELECT count(*), array_agg(DISTINCT customer_id ORDER BY customer_id) FROM new
"""


def _ingest_postgresql(events: list[NewEvent]) -> tuple[int, list[int]]:
    """(how many events were new, the accounts that got them, in order): one row, nothing per event."""
    # One JSON text parameter: quoted once, where five arrays of a thousand values each are adapted one by one.
    # Times as seconds since the epoch: exact to the microsecond in a double, and cheaper to read than text.
    rows = json.dumps(
        [
            (customer_id, event_type_id, occurred_at.timestamp(), contact, source_id)
            for customer_id, event_type_id, occurred_at, contact, source_id in events
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(INGEST_POSTGRESQL, [rows])
        new, customer_ids = cursor.fetchone()
    return new, customer_ids or []


def _ingest_other(events: list[NewEvent]) -> tuple[int, list[int]]:
    """The same in a few statements on SQLite: the events (RETURNING the new ones), then their daily counts."""
    adapt = connection.ops.adapt_datetimefield_value
    new: Counter = Counter()
    days: Counter = Counter()
    now = adapt(datetime.datetime.now(datetime.UTC))
    with connection.cursor() as cursor:
        for start in range(0, len(events), 200):
            part = events[start : start + 200]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(part))
            params = [
                value
                for event in part
                for value in (
                    event.customer_id,
                    event.event_type_id,
                    adapt(event.occurred_at),
                    event.contact,
                    event.source_id,
                    now,
                )
            ]
            cursor.execute(
                "INSERT INTO engagement_event (customer_id, event_type_id, occurred_at, contact, source_id,"
                f" received_at) VALUES {values} ON CONFLICT (customer_id, source_id, occurred_at) DO NOTHING"
                " RETURNING customer_id, event_type_id, occurred_at",
                params,
            )
            for customer_id, event_type_id, occurred_at in cursor.fetchall():
                new[customer_id] += 1
                day = (
                    occurred_at if isinstance(occurred_at, datetime.datetime) else parse_datetime(occurred_at)
                ).date()
                days[(customer_id, event_type_id, day.isoformat())] += 1
        if days:
            cursor.executemany(
                "INSERT INTO engagement_dailycount (customer_id, event_type_id, day, count) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (customer_id, event_type_id, day) DO UPDATE SET count = count + excluded.count",
                [(*key, count) for key, count in sorted(days.items())],
            )
    return sum(new.values()), sorted(new)


@transaction.atomic
def events_ingest(*, events: list[NewEvent]) -> Ingested:
    """Write a parsed batch: the new events and their daily counts, set-based; a resent event counts once.
    The accounts that got new events are re-scored after the commit."""
    if not events:
        return Ingested()
    event_partitions_ready()
    new, customer_ids = _ingest_postgresql(events) if connection.vendor == "postgresql" else _ingest_other(events)
    if customer_ids:
        engagement_changed.send(sender=Ingested, customer_ids=customer_ids)
    return Ingested(received=len(events), new=new, customer_ids=customer_ids)


def events_stored(events: list[NewEvent]) -> set[tuple[int, str, datetime.datetime]]:
    """Which of ``events`` are stored already, as (customer, id, time): what a dry run of an import reports."""
    if not events:
        return set()
    stored = Event.objects.filter(
        customer_id__in={event.customer_id for event in events}, source_id__in={event.source_id for event in events}
    ).values_list("customer_id", "source_id", "occurred_at")
    return set(stored)


def events_retention_apply(*, today: datetime.date | None = None) -> tuple[list[str], int]:
    """Next months' partitions made, those past the retention dropped, and the daily counts older than the
    retention deleted: (partitions dropped, daily counts deleted)."""
    today = today or datetime.datetime.now(datetime.UTC).date()
    _, dropped = event_partitions_ensure(today=today)
    deleted, _ = DailyCount.objects.filter(day__lt=retention_start(today)).delete()
    if connection.vendor != "postgresql":
        oldest = datetime.datetime.combine(retention_start(today), datetime.time(), tzinfo=datetime.UTC)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM engagement_event WHERE occurred_at < %s", [oldest])
    return dropped, deleted
