"""ops/priority.py: the bulk work's database backend at a lower CPU priority."""

import os

import pytest
from django.db import connections

from ops import priority

pytestmark = pytest.mark.django_db


def _niceness(pid: int) -> int:
    return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[16])  # noqa: PTH123, SIM115


@pytest.fixture
def own_connection():
    """A connection of its own (the test's is shared with the tests after it), closed after."""
    connection = connections.create_connection("default")
    yield connection
    connection.close()


def test_the_backend_of_the_connection_gets_the_lower_priority(own_connection):
    if own_connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's backends are processes of their own (CI runs on PostgreSQL)")
    pid = priority.database_backend_nice(own_connection, 10)

    assert pid is not None, "the server runs on this machine and the tests may renice it (CI runs as root)"
    assert _niceness(pid) == 10
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] == pid
    assert priority.database_backend_nice(own_connection, 10) == pid  # already done: nothing more to change


def test_it_leaves_a_database_on_another_host_or_a_zero_setting_alone(own_connection):
    assert priority.database_backend_nice(own_connection, 0) is None
    own_connection.settings_dict = {**own_connection.settings_dict, "HOST": "db.example.com"}
    assert priority.database_backend_nice(own_connection, 10) is None


def test_a_backend_it_may_not_renice_keeps_its_priority_without_an_error(own_connection, monkeypatch):
    if own_connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's backends are processes of their own (CI runs on PostgreSQL)")

    def refused(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "setpriority", refused)
    assert priority.database_backend_nice(own_connection, 10) is None
