"""“Why this score” names where an engagement criterion's value came from: events after decay, or the column."""

import datetime

import pytest

from customers.tests.factories import CustomerFactory
from engagement.models import DailyCount, EventType
from engagement.tests.test_freshness_worker import _engagement_rubric
from rubrics.selectors import version_spec
from rubrics.services.scores import scores_write
from teams.models import Role

TODAY = datetime.datetime.now(datetime.UTC).date()


@pytest.fixture
def version(db):
    return _engagement_rubric()


def _scored(version, customer):
    scores_write(version=version, spec=version_spec(version), low_id=customer.pk, high_id=customer.pk)


def test_the_customer_page_says_events_after_decay(client_as, version):
    customer = CustomerFactory(website_visits_30d=0)
    visits = EventType.objects.get(key="website_visit")
    # 6 visits today and 3 fourteen days ago (half-life 14): 6 + 3 x 0.5 = 7.5
    DailyCount.objects.create(customer=customer, event_type=visits, day=TODAY, count=6)
    DailyCount.objects.create(customer=customer, event_type=visits, day=TODAY - datetime.timedelta(days=14), count=3)
    _scored(version, customer)

    page = client_as(Role.ADMIN).get(f"/customers/{customer.pk}/")

    assert "9 website_visit events, worth 7.5 after decay" in page.content.decode()


def test_the_lead_page_says_events_after_decay(client_as, version):
    customer = CustomerFactory(website_visits_30d=0)
    visits = EventType.objects.get(key="website_visit")
    DailyCount.objects.create(customer=customer, event_type=visits, day=TODAY, count=3)
    _scored(version, customer)

    page = client_as(Role.ADMIN).get(f"/leads/{version.rubric_id}/{customer.pk}/")

    assert page.status_code == 200
    assert "3 website_visit events, worth 3.0 after decay" in page.content.decode()


def test_the_customer_page_says_the_imported_column_without_events(client_as, version):
    customer = CustomerFactory(website_visits_30d=4)
    _scored(version, customer)

    page = client_as(Role.ADMIN).get(f"/customers/{customer.pk}/")

    assert "4, from the imported column website_visits_30d (no events)" in page.content.decode()
