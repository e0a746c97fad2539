"""Two bulk upserts of the same new customers at once through the API: the second waits for the first and
updates what it created, where it failed on the unique external id (a 500) once the first committed."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from customers.models import Customer
from teams.models import Role
from tests.support import lock_held

from .test_import_concurrency import run_overlapping

BULK = reverse("api:customer-bulk")


@pytest.mark.django_db(transaction=True)
def test_two_bulk_calls_with_the_same_new_customers_at_once_both_answer_200_and_the_later_one_updates(
    api_as, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite commits one writer at a time: two calls cannot overlap there")
    from customers import api

    monkeypatch.setattr(api, "BULK_LOCK_WAIT_SECONDS", 30)  # longer than the test holds the first
    clients = {employees: api_as(Role.ADMIN, username=f"admin-{employees}") for employees in (10, 20)}
    answers = {}

    def call(employees):
        rows = [{"external_id": f"N-{n}", "name": f"New {n}", "employees": employees} for n in range(3)]
        try:
            response = clients[employees].post(BULK, {"customers": rows}, format="json")
            answers[employees] = (response.status_code, response.json())
        finally:
            connection.close()

    run_overlapping([threading.Thread(target=call, args=(employees,)) for employees in clients], what="calls")

    assert sorted(status for status, _ in answers.values()) == [200, 200], answers
    results = sorted((body["created"], body["updated"]) for _, body in answers.values())
    assert results == [(0, 3), (3, 0)], "the later call updates what the earlier one created"
    later = next(employees for employees, (_, body) in answers.items() if body["updated"] == 3)
    assert sorted(Customer.objects.values_list("external_id", "employees")) == [(f"N-{n}", later) for n in range(3)]


@pytest.mark.django_db(transaction=True)
def test_a_bulk_call_meeting_a_long_import_answers_409_and_saves_nothing(api_as, monkeypatch):
    """An import holds the customers' upsert lock for its whole transaction (minutes for a big file): a bulk call
    waits BULK_LOCK_WAIT_SECONDS for it, then says so with a 409 and Retry-After, rather than hold a web thread."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite commits one writer at a time: a call cannot meet an import there")
    from customers import api
    from customers.services.upserts import UPSERT_LOCK

    monkeypatch.setattr(api, "BULK_LOCK_WAIT_SECONDS", 0.3)
    client = api_as(Role.ADMIN)

    with lock_held(UPSERT_LOCK):  # an import under way
        busy = client.post(BULK, {"customers": [{"external_id": "N-1", "name": "New"}]}, format="json")

    assert busy.status_code == 409
    assert busy["Retry-After"] == "30"
    assert "nothing was saved" in busy.json()["detail"]
    assert not Customer.objects.filter(external_id="N-1").exists()
    again = client.post(BULK, {"customers": [{"external_id": "N-1", "name": "New"}]}, format="json")
    assert again.status_code == 200
    assert again.json()["created"] == 1
