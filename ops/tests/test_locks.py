"""Named locks: a caller that must answer in time gives up after its wait, and its transaction goes on."""

import pytest
from django.db import connection, transaction

from ops.locks import LockBusy, lock_for_transaction
from tests.support import lock_held


@pytest.mark.django_db(transaction=True)
def test_a_bounded_wait_gives_up_and_leaves_the_transaction_usable():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite commits one writer at a time: its named locks do nothing")
    with lock_held("test:busy"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        (before,) = cursor.fetchone()
        with pytest.raises(LockBusy):
            lock_for_transaction("test:busy", wait=0.2)
        cursor.execute("SELECT current_setting('lock_timeout')")
        assert cursor.fetchone() == (before,)  # the wait's own timeout is gone with it
        lock_for_transaction("test:free", wait=0.2)  # the transaction goes on

    with transaction.atomic():
        lock_for_transaction("test:busy", wait=5)  # free again
