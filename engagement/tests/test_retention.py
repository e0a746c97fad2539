"""The event log's months: next ones made ahead, those past the retention dropped with their daily counts."""

import datetime

import pytest
from django.db import connection

from customers.tests.factories import CustomerFactory
from engagement.models import DailyCount, EventType
from engagement.partitions import event_partitions_ensure, partition_name
from engagement.services import events_retention_apply

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")


def _partitions() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits JOIN pg_class parent ON parent.oid = inhparent"
            " JOIN pg_class child ON child.oid = inhrelid WHERE parent.relname = 'engagement_event'"
        )
        return {row[0] for row in cursor.fetchall()}


def test_it_makes_the_months_ahead_and_drops_those_past_the_retention(db, settings):
    settings.ENGAGEMENT_RETENTION_DAYS = 400
    later = datetime.date(2031, 5, 10)  # years after the migration's months

    made, dropped = event_partitions_ensure(today=later)

    # 400 days before 10 May 2031 is 6 April 2030: April 2030 to July 2031 (two months ahead) are kept.
    assert partition_name(datetime.date(2031, 7, 1)) in made
    assert partition_name(datetime.date(2030, 4, 1)) in made
    assert partition_name(datetime.date(2030, 3, 1)) not in _partitions()
    assert partition_name(datetime.date(2026, 12, 1)) in dropped
    assert min(_partitions()) == partition_name(datetime.date(2030, 4, 1))
    assert event_partitions_ensure(today=later) == ([], []), "a second run changes nothing"


def test_the_nightly_job_deletes_the_daily_counts_past_the_retention(db, settings):
    settings.ENGAGEMENT_RETENTION_DAYS = 30
    today = datetime.datetime.now(datetime.UTC).date()
    customer, visits = CustomerFactory(), EventType.objects.get(key="website_visit")
    for age in (0, 30, 31):
        DailyCount.objects.create(
            customer=customer, event_type=visits, day=today - datetime.timedelta(days=age), count=1
        )

    events_retention_apply(today=today)

    kept = sorted((today - day).days for day in DailyCount.objects.values_list("day", flat=True))
    assert kept == [0, 30]
