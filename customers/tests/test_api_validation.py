"""Every malformed payload gets a 4xx naming what is wrong, never a 500, and nothing is saved."""

import json

import pytest
from django.urls import reverse

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from customers.tests.support import check, upload
from teams.models import Role

LIST = reverse("api:customer-list")
VALID = {"external_id": "CRM-9", "name": "Acme"}


@pytest.fixture
def admin_api(api_as, make_person):
    make_person(Role.SALES_REP, username="riley")
    make_person(Role.SALES_REP, username="gone", is_active=False)
    make_person(Role.MEMBER, username="mia")
    return api_as(Role.ADMIN)


MALFORMED_FIELDS = [
    # wrong types
    ({"employees": "many"}, "employees"),
    ({"employees": 1.5}, "employees"),
    ({"employees": True}, "employees"),
    ({"has_case_study": "perhaps"}, "has_case_study"),
    ({"closed_on": "31/12/2025"}, "closed_on"),
    ({"name": {"first": "Acme"}}, "name"),
    ({"name": None}, "name"),
    # too long for the column
    ({"name": "x" * 201}, "name"),
    ({"external_id": "x" * 65}, "external_id"),
    # out of the column's range (the same limits on SQLite and PostgreSQL)
    ({"employees": 2_147_483_648}, "employees"),
    ({"employees": -1}, "employees"),
    ({"annual_revenue": 2**63}, "annual_revenue"),
    ({"clv": -(2**63) - 1}, "clv"),
    ({"nps": 11}, "nps"),
    ({"active_days_30d": 31}, "active_days_30d"),
    # NUL characters, which PostgreSQL refuses
    ({"name": "Ac\x00me"}, "name"),
    ({"external_id": "CRM\x00"}, "external_id"),
    ({"owner": "ri\x00ley"}, "owner"),
    # extra: a flat object of JSON scalars that jsonb can store
    ({"extra": ["gold"]}, "extra"),
    ({"extra": "gold"}, "extra"),
    ({"extra": {"tier": {"level": 1}}}, "extra"),
    ({"extra": {"tiers": ["gold"]}}, "extra"),
    ({"extra": {"ti\x00er": "gold"}}, "extra"),
    ({"extra": {"tier": "go\x00ld"}}, "extra"),
    ({"extra": {"": "gold"}}, "extra"),
    ({"extra": {"note": "x" * 1001}}, "extra"),
    ({"extra": {"seats": 2**64}}, "extra"),
    ({"extra": {f"k{n}": n for n in range(101)}}, "extra"),
    # invalid choices
    ({"lifecycle_stage": "partner"}, "lifecycle_stage"),
    ({"deal_outcome": "maybe"}, "deal_outcome"),
    # owner: an active sales rep's username
    ({"owner": "mia"}, "owner"),
    ({"owner": "gone"}, "owner"),
    ({"owner": "nobody"}, "owner"),
    ({"owner": 7}, "owner"),
    # fields the API does not take
    ({"colour": "red"}, "colour"),
    ({"owner_id": 1}, "owner_id"),
    ({"created_at": "2025-01-01T00:00:00Z"}, "created_at"),
]


@pytest.mark.parametrize(("change", "field"), MALFORMED_FIELDS)
def test_it_refuses_a_malformed_customer_with_a_message_for_the_field(admin_api, change, field):
    response = admin_api.post(LIST, {**VALID, **change}, format="json")

    assert response.status_code == 400
    messages = response.json()[field]
    assert messages
    assert all(isinstance(message, str) and message for message in messages)
    assert not Customer.objects.exists()


@pytest.mark.parametrize(("change", "field"), MALFORMED_FIELDS)
def test_it_refuses_a_malformed_change_with_a_message_for_the_field(admin_api, change, field):
    CustomerFactory(external_id="CRM-1", name="Acme", extra={})
    before = Customer.objects.values().get()

    response = admin_api.patch(reverse("api:customer-detail", args=["CRM-1"]), change, format="json")

    assert response.status_code == 400
    assert response.json()[field]
    assert Customer.objects.values().get() == before


@pytest.mark.parametrize(("change", "field"), MALFORMED_FIELDS)
def test_it_refuses_a_malformed_bulk_row_with_a_message_for_the_field(admin_api, change, field):
    response = admin_api.post(
        reverse("api:customer-bulk"),
        {"customers": [VALID, {**VALID, "external_id": "CRM-10", **change}]},
        format="json",
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["index"] == 1
    assert error["errors"][field]
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "key"),
    [
        ("{not json", "application/json", 400, "detail"),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400, "detail"),
        ('{"name": NaN, "external_id": "A"}', "application/json", 400, "detail"),
        ('{"name": "\\ud800", "external_id": "A"}', "application/json", 400, "name"),
        ('{"\\ud800": 1, "name": "A", "external_id": "A"}', "application/json", 400, "\ud800"),
        (json.dumps([VALID]), "application/json", 400, "non_field_errors"),
        ("null", "application/json", 400, "non_field_errors"),
        ('"Acme"', "application/json", 400, "non_field_errors"),
        ("external_id=A&name=Acme", "application/x-www-form-urlencoded", 415, "detail"),
    ],
)
def test_it_refuses_a_body_that_is_not_a_json_object(admin_api, body, content_type, status, key):
    response = admin_api.generic("POST", LIST, body, content_type=content_type)

    assert response.status_code == status
    assert response.json()[key]
    assert response.content.isascii()
    assert not Customer.objects.exists()


def test_it_accepts_every_kind_of_json_scalar_in_extra(admin_api):
    extra = {"tier": "gold", "seats": 2**63 - 1, "ratio": 0.5, "partner": False, "churn_reason": None}

    response = admin_api.post(LIST, {**VALID, "extra": extra}, format="json")

    assert response.status_code == 201
    assert Customer.objects.get().extra == extra


HIDDEN_CHARACTERS = [
    pytest.param("\u0007", "Control characters are not allowed (U+0007).", id="bell"),
    pytest.param(
        "\u202e",
        "Bidirectional override characters are not allowed (U+202E): they disguise the text.",
        id="right-to-left-override",
    ),
]


def _import_reason(tmp_path, name: str) -> str:
    """Why the customers import (its check) refuses a row with this company name."""
    path = tmp_path / "hidden.csv"
    path.write_text(f"Record ID,Company name\nCRM-7,{name}\n", encoding="utf-8")
    job = check(upload(path))
    [[line, reason]] = job.rejections
    assert line == 2
    return reason


@pytest.mark.parametrize(("character", "reason"), HIDDEN_CHARACTERS)
def test_the_api_refuses_a_hidden_character_for_the_reason_the_import_gives(admin_api, tmp_path, character, reason):
    name = f"Ac{character}me"
    assert _import_reason(tmp_path, name) == f"Company name: {reason}"
    CustomerFactory(external_id="CRM-1", name="Acme")
    before = Customer.objects.values().get()

    created = admin_api.post(LIST, {**VALID, "name": name}, format="json")
    changed = admin_api.patch(
        reverse("api:customer-detail", args=["CRM-1"]), {"industry": f"Soft{character}ware"}, format="json"
    )

    assert (created.status_code, created.json()) == (400, {"name": [reason]})
    assert (changed.status_code, changed.json()) == (400, {"industry": [reason]})
    assert Customer.objects.values().get() == before
