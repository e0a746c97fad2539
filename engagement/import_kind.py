"""The events import (imports.kinds): a CSV or Excel file of events, checked on upload, then written in batches
through the same set-based ingest as the API (services.events_ingest).

Columns are recognised by name: the account (external id, or else domain), the event type's key, the time
(ISO 8601; without an offset it is read as UTC), the sender's id of the event and optionally a contact. An event
already stored (same account, id and time) is left as it is: importing the same file twice adds nothing.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from imports.cleaning import columns_by_name
from imports.kinds import Batch, Chunk, Counts, FileStyle, ImportKind, Writer
from imports.models import ImportJob

from .services import NewEvent, events_ingest, events_sort, events_stored

COLUMNS = {
    **dict.fromkeys(
        ["external id", "customer external id", "account external id", "account id", "crm id"], "external_id"
    ),
    **dict.fromkeys(["domain", "account domain", "company domain", "customer domain"], "domain"),
    **dict.fromkeys(["type", "event type", "event", "activity", "activity type"], "type"),
    **dict.fromkeys(["occurred at", "time", "timestamp", "date", "event time", "when"], "occurred_at"),
    **dict.fromkeys(["id", "event id", "activity id", "source id"], "id"),
    **dict.fromkeys(["contact", "email", "contact email", "person"], "contact"),
}


def columns_recognise(headers: list[str]) -> dict[str, str]:
    """Each recognised column -> what it fills; a ValidationError saying which columns the file lacks."""
    columns = columns_by_name(headers, COLUMNS)
    found = set(columns.values())
    problems = []
    if not found & {"external_id", "domain"}:
        problems.append("a column with the account's external id (“external_id”) or its domain (“domain”)")
    for target, words in (
        ("type", "the event type's key (“type”)"),
        ("occurred_at", "the time of the event (“occurred_at”)"),
        ("id", "the event's own id (“event_id”)"),
    ):
        if target not in found:
            problems.append(f"a column with {words}")
    if problems:
        raise ValidationError(f"The file needs {'; '.join(problems)}. Its columns: {', '.join(headers)}.")
    return columns


@dataclass(frozen=True)
class Row:
    line: int
    event: NewEvent


class EventRows:
    """Each row as the API takes an event, checked with the same rules; the messages keep the row's line."""

    def __init__(self, job: ImportJob, headers: list[str]):
        self.positions = {target: headers.index(header) for header, target in job.mapping.items() if header in headers}

    def _item(self, cells: list[str]) -> dict:
        item = {}
        for target, position in self.positions.items():
            text = cells[position].strip() if position < len(cells) else ""
            if text:
                item[target] = text
        return item

    def __call__(self, chunk: Chunk) -> Batch:
        batch = Batch()
        events, errors = events_sort([self._item(cells) for _, cells in chunk], naive_utc=True)
        for error in errors:
            batch.rejections.append([chunk[error["index"]][0], "; ".join(error["messages"])])
        batch.rows = [Row(chunk[index][0], event) for index, event in events]
        return batch


class EventWriter(Writer):
    def __init__(self, dry_run: bool):
        self.dry_run = dry_run

    def write(self, rows: list[Row]) -> Counts:
        events = [row.event for row in rows]
        if self.dry_run:
            stored = events_stored(events)
            keys = {(event.customer_id, event.source_id, event.occurred_at) for event in events}
            return Counts(created=len(keys - stored), unchanged=len(events) - len(keys - stored))
        ingested = events_ingest(events=events)
        return Counts(created=ingested.new, unchanged=ingested.duplicates)


class EventImport(ImportKind):
    name = "engagement-events"
    label = "events"
    title = "Import engagement events"
    upload_help = (
        "A CSV or Excel file with a column for the account (external_id, or else domain), the event type's key "
        "(website_visit, email_click...), the time (ISO 8601, UTC without an offset), the event's own id and "
        "optionally a contact. It is checked first; an event already imported is not counted again."
    )
    upload_field_help = "Columns: external_id (or domain), type, occurred_at, event_id, contact."
    nav_template = "engagement/tabs.html"
    back_url = "engagement:types"
    back_label = "Engagement"
    done_url = "engagement:types"
    done_label = "See the event types"
    check_at_upload = True

    def columns(self, headers):
        return columns_recognise(headers)

    def parser(self, *, job, headers, style: FileStyle):
        return EventRows(job, headers)

    def writer(self, *, job, dry_run):
        return EventWriter(dry_run)
