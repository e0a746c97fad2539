"""Named locks: a caller that must answer in time gives up after its wait, and its transaction goes on."""

import threading

import pytest
from django.db import connection, transaction

from ops.locks import LockBusy, lock_for_transaction


@pytest.mark.django_db(transaction=True)
def test_a_bounded_wait_gives_up_and_leaves_the_transaction_usable():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite commits one writer at a time: its named locks do nothing")
    holding, release = threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic():
                lock_for_transaction("test:busy")
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert holding.wait(10)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('lock_timeout')")
            (before,) = cursor.fetchone()
            with pytest.raises(LockBusy):
                lock_for_transaction("test:busy", wait=0.2)
            cursor.execute("SELECT current_setting('lock_timeout')")
            assert cursor.fetchone() == (before,)  # the wait's own timeout is gone with it
            lock_for_transaction("test:free", wait=0.2)  # the transaction goes on
    finally:
        release.set()
        thread.join(30)

    with transaction.atomic():
        lock_for_transaction("test:busy", wait=5)  # free again
