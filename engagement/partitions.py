"""The event log's monthly partitions on PostgreSQL: next months' made ahead, those past the retention dropped.

``event_partitions_ensure`` is run by the migration, by a daily job (``tasks.event_partitions_maintain``) and,
once per process and month, before an ingest (so a missed job never makes an insert fail). On SQLite the log
is one plain table and there is nothing to do.
"""

import datetime

from django.conf import settings
from django.db import connection

TABLE = "engagement_event"
MONTHS_AHEAD = 2


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_later(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def partition_name(month: datetime.date) -> str:
    return f"{TABLE}_p{month:%Y%m}"


def retention_start(today: datetime.date) -> datetime.date:
    """The first day whose events are kept."""
    return today - datetime.timedelta(days=settings.ENGAGEMENT_RETENTION_DAYS)


def _existing(cursor) -> set[str]:
    cursor.execute(
        "SELECT child.relname FROM pg_inherits JOIN pg_class parent ON parent.oid = pg_inherits.inhparent"
        " JOIN pg_class child ON child.oid = pg_inherits.inhrelid WHERE parent.relname = %s",
        [TABLE],
    )
    return {row[0] for row in cursor.fetchall()}


def event_partitions_ensure(*, today: datetime.date | None = None, using=connection) -> tuple[list[str], list[str]]:
    """(made, dropped): a partition for every month from the retention's first to MONTHS_AHEAD after this one;
    the partitions that end before the retention starts dropped, with their events."""
    if using.vendor != "postgresql":
        return [], []
    today = today or datetime.datetime.now(datetime.UTC).date()
    first = month_start(retention_start(today))
    last = months_later(month_start(today), MONTHS_AHEAD)
    made, dropped = [], []
    with using.cursor() as cursor:
        existing = _existing(cursor)
        month = first
        while month <= last:
            name = partition_name(month)
            if name not in existing:
                cursor.execute(
                    f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF {TABLE}'
                    f" FOR VALUES FROM ('{month.isoformat()}T00:00:00+00:00')"
                    f" TO ('{months_later(month, 1).isoformat()}T00:00:00+00:00')"
                )
                made.append(name)
            month = months_later(month, 1)
        for name in sorted(existing):
            stamp = name.removeprefix(f"{TABLE}_p")
            if len(stamp) == 6 and stamp.isdigit():
                month = datetime.date(int(stamp[:4]), int(stamp[4:]), 1)
                if months_later(month, 1) <= first:
                    cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
                    dropped.append(name)
    return made, dropped


_ensured_for: set[tuple[str, datetime.date]] = set()


def event_partitions_ready() -> None:
    """Make sure this month's partitions exist, once per process and month (the daily job does the rest)."""
    if connection.vendor != "postgresql":
        return
    key = (connection.settings_dict["NAME"], month_start(datetime.datetime.now(datetime.UTC).date()))
    if key not in _ensured_for:
        event_partitions_ensure()
        _ensured_for.add(key)
