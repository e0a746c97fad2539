"""How the engagement tables are stored on PostgreSQL, where it makes ingest cheaper."""

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="storage settings are PostgreSQL's")


def test_daily_counts_leave_room_on_each_page_for_the_counts_ingest_adds_to():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'engagement_dailycount'")
        assert cursor.fetchone()[0] == ["fillfactor=70"]
