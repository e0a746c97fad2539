"""The events import: the shared lifecycle, the API's rules per row, the same file twice adds nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from customers.tests.factories import CustomerFactory
from engagement.models import DailyCount, Event
from imports.models import ImportJob
from imports.services import import_commit, import_start, import_upload

TODAY = datetime.datetime.now(datetime.UTC).date()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def customers(db):
    return CustomerFactory(external_id="CRM-1", domain="alpha.example"), CustomerFactory(external_id="CRM-2")


def _check(text: str) -> ImportJob:
    return import_upload(kind="engagement-events", file=ContentFile(text.encode()), name="events.csv", user=None)


def _import(job: ImportJob) -> ImportJob:
    import_start(job=job, skip_invalid=True, user=None)
    return import_commit(job=job)


GOOD = (
    "Account ID,Domain,Event type,Occurred at,Event ID,Contact\n"
    f"CRM-1,,website_visit,{TODAY}T00:00:01Z,w-1,ann@alpha.example\n"
    f"CRM-1,,website_visit,{TODAY} 00:00:02,w-2,\n"
    f",alpha.example,email_click,{YESTERDAY}T08:00:00+02:00,c-1,\n"
    f"CRM-2,,meeting,{YESTERDAY}T15:00:00Z,m-1,\n"
)


def test_it_imports_events_and_the_same_file_again_adds_nothing(customers):
    alpha, beta = customers
    job = _import(_check(GOOD))

    assert job.result == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}, job.rejections
    counts = set(DailyCount.objects.values_list("customer_id", "event_type__key", "day", "count"))
    assert counts == {
        (alpha.pk, "website_visit", TODAY, 2),
        (alpha.pk, "email_click", YESTERDAY, 1),
        (beta.pk, "meeting", YESTERDAY, 1),
    }

    again = _check(GOOD)
    assert again.analysis == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    again = _import(again)

    assert again.result == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    assert Event.objects.count() == 4
    assert DailyCount.objects.get(customer=alpha, event_type__key="website_visit").count == 2


def test_bad_rows_are_listed_by_line_with_a_plain_reason(customers):
    text = (
        "external_id,type,occurred_at,event_id\n"
        f"CRM-1,website_visit,{TODAY}T00:00:01Z,ok-1\n"
        f"CRM-404,website_visit,{TODAY}T00:00:01Z,x-1\n"
        f"CRM-1,carrier_pigeon,{TODAY}T00:00:01Z,x-2\n"
        "CRM-1,website_visit,someday,x-3\n"
        f"CRM-1,website_visit,{TODAY}T00:00:01Z,\n"
    )

    job = _check(text)

    assert job.analysis == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 4}
    lines = dict(job.rejections)
    assert lines[3] == "external_id: no customer with external id “CRM-404”"
    assert lines[4].startswith("type: no event type “carrier_pigeon”")
    assert lines[5].startswith("occurred_at: “someday” is not an ISO 8601 date and time")
    assert lines[6] == "id: required"
    assert not Event.objects.exists()


def test_a_file_without_the_columns_is_refused_with_what_it_lacks(customers):
    with pytest.raises(ValidationError, match="a column with the event type's key"):
        _check("name,when\nAlpha,today\n")
