"""Redis stopped (a redis-server of the test's own): pages go on without the cache or answer a clear 503, never a
500; a change that cannot send its task is saved and says what waits. Redis back, all works again."""

import time

import pytest
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse

from customers.models import Customer
from customers.services.records import customer_update
from customers.tests.factories import CustomerFactory
from customers.tests.test_views_edit import _form_data
from feedback.models import Response
from feedback.tests.factories import invitation_for, survey_path
from imports.models import ImportJob, ImportStatus
from teams.models import Role


def visits(request):
    return HttpResponse(str(cache.get_or_set("ops-test-visits", 1)))


class CacheFirstMiddleware:
    """Reads the cache before any view runs, as a throttle or a cached session would."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cache.get("ops-test-anything")
        return self.get_response(request)


urlpatterns = [path("visits/", visits), path("api/visits/", visits), path("", include("icpsite.urls"))]
handler500 = "ops.outages.server_error"


def _unavailable(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "A service is unavailable" in page
    assert "This page needs the job queue and cache (Redis), which cannot be reached just now." in page


@pytest.mark.urls("ops.tests.test_outages")
def test_a_page_that_needs_the_cache_answers_503_while_redis_is_down_and_works_once_it_is_back(
    client_as, private_redis
):
    client = client_as(Role.MEMBER)
    assert client.get("/visits/").status_code == 200

    private_redis.stop()
    _unavailable(client.get("/visits/"))

    private_redis.start()
    assert client.get("/visits/").status_code == 200


@pytest.mark.urls("ops.tests.test_outages")
def test_the_api_says_it_in_json(client_as, private_redis):
    client = client_as(Role.MEMBER)
    private_redis.stop()

    response = client.get("/api/visits/")

    assert response.status_code == 503
    assert response.json() == {
        "detail": "This request needs the job queue and cache (Redis), which cannot be reached just now. "
        "Try again in a minute."
    }


@pytest.mark.urls("ops.tests.test_outages")
def test_an_outage_outside_the_views_is_a_503_too(client_as, private_redis, settings):
    settings.DEBUG = False
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "ops.tests.test_outages.CacheFirstMiddleware"]
    client = client_as(Role.MEMBER)
    private_redis.stop()

    response = Client(raise_request_exception=False, headers={"Cookie": client.cookies.output(header="")}).get("/")

    _unavailable(response)


def test_an_import_under_way_shows_without_the_cache(client_as, private_redis):
    client = client_as(Role.ADMIN)
    job = ImportJob.objects.create(
        kind="customers", original_name="crm.csv", status=ImportStatus.IMPORTING, rows_total=2000
    )
    private_redis.stop()

    response = client.get(reverse("customers:import_detail", args=[job.pk]))

    assert response.status_code == 200
    assert "Importing" in response.content.decode()
    assert "0 of 2,000 rows" in response.content.decode()


def test_a_customer_answers_a_survey_while_the_cache_is_down(db, client, private_redis):
    invitation = invitation_for()
    private_redis.stop()

    response = client.post(survey_path(invitation), {"score": "9", "comment": "Great support."})

    assert response.status_code == 302
    assert Response.objects.get().score == 9


def test_a_customer_edit_while_redis_is_down_is_saved_and_says_what_waits(transactional_db, client_as, private_redis):
    client = client_as(Role.ADMIN)
    customer = CustomerFactory(employees=250)
    private_redis.stop()

    response = client.post(
        reverse("customers:edit", args=[customer.pk]), _form_data(customer, employees="300"), follow=True
    )

    assert response.redirect_chain[0][1] == 302
    assert Customer.objects.get(pk=customer.pk).employees == 300
    assert [str(message) for message in response.context["messages"]] == [
        f"{customer.name} is saved.",
        "The job queue cannot be reached just now. The changed customers get their new scores with tonight's re-score."
        " Similar accounts take in the changes at their next nightly build.",
    ]


@pytest.mark.serial  # "at once" is timed: not beside other test processes
def test_many_changes_in_one_transaction_give_up_their_sends_at_once(transactional_db, private_redis, make_person):
    admin = make_person(Role.ADMIN)
    customers = CustomerFactory.create_batch(50, employees=10)
    private_redis.stop()

    started = time.monotonic()
    with transaction.atomic():  # as a feedback import refreshes each of its customers
        for customer in customers:
            customer_update(customer=customer, values={"employees": 20}, user=admin)
    took = time.monotonic() - started

    assert took < 3, f"50 re-score tasks not sent took {took:.1f} s"
    assert Customer.objects.filter(employees=20).count() == 50
