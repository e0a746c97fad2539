"""POST /api/events/: a batch written set-based, a resent event counted once, a bad batch refused whole."""

import datetime

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from engagement.models import DailyCount, Event
from teams.models import Role
from teams.services import api_token_create

NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
URL = "/api/events/"


@pytest.fixture
def admin_api(client, make_person):
    admin = make_person(Role.ADMIN)
    token = api_token_create(user=admin, name="events")[1]

    def post(body, token=token):
        return client.post(URL, body, content_type="application/json", headers={"Authorization": f"Token {token}"})

    return post


def _event(customer, number, when=NOW, kind="website_visit", **fields):
    return {
        "id": f"e-{number}",
        "external_id": customer.external_id,
        "type": kind,
        "occurred_at": when.isoformat(),
        **fields,
    }


def test_the_url_is_the_api_s():
    assert reverse("engagement_api:events") == URL


def test_it_writes_a_batch_and_counts_each_day(admin_api):
    acme, globex = CustomerFactory(), CustomerFactory(domain="globex.example")
    yesterday = NOW - datetime.timedelta(days=1)
    batch = [
        _event(acme, 1),
        _event(acme, 2),
        _event(acme, 3, when=yesterday),
        {
            "id": "g-1",
            "domain": "GLOBEX.example",
            "type": "email_click",
            "occurred_at": NOW.isoformat(),
            "contact": "ann@globex.example",
        },
    ]

    response = admin_api({"events": batch})

    assert response.status_code == 200, response.json()
    assert response.json() == {"received": 4, "new": 4, "duplicates": 0}
    counts = set(DailyCount.objects.values_list("customer_id", "event_type__key", "day", "count"))
    assert counts == {
        (acme.pk, "website_visit", NOW.date(), 2),
        (acme.pk, "website_visit", yesterday.date(), 1),
        (globex.pk, "email_click", NOW.date(), 1),
    }
    assert Event.objects.get(customer=globex).contact == "ann@globex.example"


def test_a_resent_event_counts_once(admin_api):
    acme = CustomerFactory()
    first = admin_api({"events": [_event(acme, 1), _event(acme, 2)]})

    again = admin_api({"events": [_event(acme, 2), _event(acme, 3), _event(acme, 3)]})

    assert first.json() == {"received": 2, "new": 2, "duplicates": 0}
    assert again.json() == {"received": 3, "new": 1, "duplicates": 2}
    assert Event.objects.filter(customer=acme).count() == 3
    assert DailyCount.objects.get(customer=acme).count == 3


def test_spaces_around_the_texts_are_trimmed(admin_api):
    acme = CustomerFactory()
    event = _event(acme, 1, kind=" website_visit ", contact=" ann@acme.example ")
    event.update(id=" v-1 ", external_id=f" {acme.external_id} ")

    response = admin_api({"events": [event]})

    assert response.status_code == 200, response.json()
    assert Event.objects.values_list("source_id", "contact", "event_type__key").get() == (
        "v-1",
        "ann@acme.example",
        "website_visit",
    )


def test_every_bad_event_is_named_by_its_index(admin_api):
    acme = CustomerFactory()
    batch = [
        {**_event(acme, 1), "id": "x\u0000"},
        _event(acme, 2),
        {**_event(acme, 3), "type": "carrier_pigeon", "contact": "\u0007"},
    ]

    response = admin_api({"events": batch})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors == [
        {"index": 0, "messages": ["id: Null characters are not allowed."]},
        {
            "index": 2,
            "messages": [
                errors[1]["messages"][0],
                "contact: Control characters are not allowed (U+0007).",
            ],
        },
    ]
    assert errors[1]["messages"][0].startswith("type: no event type “carrier_pigeon”")
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"external_id": "NOPE"}, "external_id: no customer with external id “NOPE”"),
        ({"type": "carrier_pigeon"}, "type: no event type “carrier_pigeon”"),
        ({"type": {"key": "website_visit"}}, "type: must be text"),
        ({"type": ["website_visit"]}, "type: must be text"),
        ({"occurred_at": "yesterday"}, "occurred_at: “yesterday” is not an ISO 8601 date and time"),
        ({"occurred_at": "2026-12-07T09:30:00"}, "occurred_at: give the offset"),
        ({"occurred_at": (NOW + datetime.timedelta(days=2)).isoformat()}, "is in the future"),
        ({"occurred_at": "2001-01-01T00:00:00Z"}, "is older than the events kept"),
        ({"id": ""}, "id: required"),
        ({"id": "x" * 101}, "id: longer than 100 characters"),
        ({"colour": "blue"}, "colour: unknown field"),
        ({"external_id": None, "domain": None}, "account: give the customer's external_id or its domain"),
        # Text PostgreSQL cannot hold is refused before any query (schemathesis found the 500).
        ({"external_id": "A\u0000B"}, "external_id: Null characters are not allowed."),
        ({"external_id": None, "domain": "acme\udb51.example"}, "domain: Surrogate characters are not allowed."),
        ({"id": "x\udb51"}, "id: Surrogate characters are not allowed."),
        ({"type": "visit\u0000"}, "type: Null characters are not allowed."),
        ({"contact": "ann\u202e@acme.example"}, "contact: Bidirectional override characters are not allowed"),
    ],
)
def test_a_bad_event_refuses_the_batch_with_its_message_and_writes_nothing(admin_api, bad, message):
    acme = CustomerFactory()
    event = {**_event(acme, 2), **bad}
    event = {key: value for key, value in event.items() if value is not None}

    response = admin_api({"events": [_event(acme, 1), event]})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["index"] for error in errors] == [1]
    assert any(message in text for text in errors[0]["messages"]), errors
    assert not Event.objects.exists()
    assert not DailyCount.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{"events": []}, {"events": "many"}, {"batch": []}, [1, 2], {"events": [1]}],
    ids=["empty", "not a list", "no events", "not an object", "an event not an object"],
)
def test_a_malformed_body_is_a_400_with_a_message(admin_api, body):
    response = admin_api(body)

    assert response.status_code == 400
    assert response.json()["errors"][0]["messages"]
    assert not Event.objects.exists()


def test_a_batch_over_1000_is_refused_whole(admin_api):
    acme = CustomerFactory()

    response = admin_api({"events": [_event(acme, number) for number in range(1_001)]})

    assert response.status_code == 400
    assert "at most 1,000 per batch" in response.json()["errors"][0]["messages"][0]
    assert not Event.objects.exists()


def test_a_batch_of_1000_is_written(admin_api):
    acme = CustomerFactory()

    response = admin_api({"events": [_event(acme, number) for number in range(1_000)]})

    assert response.json() == {"received": 1000, "new": 1000, "duplicates": 0}


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.MEMBER, Role.FACILITATOR])
def test_other_roles_and_their_tokens_get_403(client, make_person, role):
    person = make_person(role)
    token = api_token_create(user=person, name="events")[1]
    acme = CustomerFactory()

    response = client.post(
        URL, {"events": [_event(acme, 1)]}, content_type="application/json", headers={"Authorization": f"Token {token}"}
    )

    assert response.status_code == 403
    assert not Event.objects.exists()


def test_not_json_is_a_400(admin_api, client):
    response = admin_api("{not json")

    assert response.status_code == 400
