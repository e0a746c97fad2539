"""A customer deleted through the API while its re-score runs: both finish, and no score is left without its
customer.

The delete is held on PostgreSQL between its cascade (the scores) and the deletion of the customer's row, by
a third connection that locks a row the delete must update on the way (the customer's change history, which
keeps the change and forgets the customer). The re-score runs meanwhile; then the hold is released.
"""

import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from customers.models import ChangeAction, ChangeSource, Customer, CustomerChange
from customers.tests.factories import CustomerFactory
from rubrics.models import QualificationChange, Score, VersionStatus
from rubrics.services.rescoring import customers_rescore
from rubrics.tests.factories import rubric_with_draft
from teams.models import Role

WAIT_SECONDS = 10


class Step(threading.Thread):
    """Run ``work`` on a connection of its own; keep its backend's pid, its result and its error."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.pid, self.result, self.error = work, None, None, None
        self.started_work = threading.Event()

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.started_work.set()
            self.result = self.work()
        except Exception as error:  # the test asserts there was none
            self.error = error
        finally:
            self.started_work.set()
            connection.close()


def _blocked(observer, pid: int) -> bool:
    with observer.cursor() as cursor:
        cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
        return cursor.fetchone()[0]


def _wait_until(condition) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "the step neither finished nor waited for a lock"
        time.sleep(0.02)


def test_a_customer_deleted_while_it_is_re_scored_is_deleted_and_the_re_score_skips_it(transactional_db, api_as):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    version = rubric_with_draft(industries=("Software",), threshold=3)
    version.status = VersionStatus.PUBLISHED
    version.save()
    customer = CustomerFactory(industry="Software")  # created, not yet scored: its re-score is still to come
    admin_api = api_as(Role.ADMIN)
    created = CustomerChange.objects.create(
        customer=customer,
        external_id=customer.external_id,
        customer_name=customer.name,
        action=ChangeAction.CREATED,
        source=ChangeSource.API,
    )
    hold = connection.get_new_connection(connection.get_connection_params())
    try:
        with hold.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {CustomerChange._meta.db_table} WHERE id = %s FOR UPDATE", [created.pk])

        delete = Step(lambda: admin_api.delete(reverse("api:customer-detail", args=[customer.external_id])))
        delete.start()
        delete.started_work.wait(WAIT_SECONDS)
        _wait_until(lambda: _blocked(hold, delete.pid))  # past the cascade, waiting for the history row

        rescore = Step(lambda: customers_rescore(customer_ids=[customer.pk]))
        rescore.start()
        rescore.started_work.wait(WAIT_SECONDS)
        _wait_until(lambda: not rescore.is_alive() or _blocked(hold, rescore.pid))
    finally:
        hold.rollback()  # lets the delete go on
        hold.close()
    delete.join(WAIT_SECONDS)
    rescore.join(WAIT_SECONDS)

    assert delete.error is None
    assert delete.result.status_code == 204
    assert rescore.error is None
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not Score.objects.filter(customer_id=customer.pk).exists()
    assert not QualificationChange.objects.filter(customer_id=customer.pk).exists()
    assert CustomerChange.objects.filter(external_id=customer.external_id, action=ChangeAction.DELETED).exists()
