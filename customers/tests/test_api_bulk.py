import pytest
from django.urls import reverse

from customers.models import ChangeSource, Customer, CustomerChange
from customers.serializers import MAX_BULK_ROWS
from customers.tests.factories import CustomerFactory
from teams.models import Role

BULK = reverse("api:customer-bulk")


@pytest.fixture
def admin_api(api_as):
    return api_as(Role.ADMIN)


def _bulk(client, customers):
    return client.post(BULK, {"customers": customers}, format="json")


def test_it_creates_updates_and_counts_unchanged_rows_by_external_id(admin_api, make_person):
    make_person(Role.SALES_REP, username="riley")
    CustomerFactory(external_id="A", name="Acme", employees=10, extra={"tier": "gold"})
    CustomerFactory(external_id="B", name="Beta", employees=20)

    response = _bulk(
        admin_api,
        [
            {"external_id": "A", "employees": 11, "extra": {"seats": 4}},
            {"external_id": "B", "employees": 20},
            {"external_id": "C", "name": "Gamma", "owner": "riley"},
        ],
    )

    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 1}
    acme = Customer.objects.get(external_id="A")
    assert (acme.name, acme.employees, acme.extra) == ("Acme", 11, {"tier": "gold", "seats": 4})
    assert Customer.objects.get(external_id="C").owner.username == "riley"
    assert set(CustomerChange.objects.values_list("source", flat=True)) == {ChangeSource.API}
    assert set(CustomerChange.objects.values_list("changed_by", flat=True)) == {admin_api.person.pk}


def test_it_saves_nothing_and_lists_every_wrong_row_with_its_index(admin_api):
    CustomerFactory(external_id="A", name="Acme", employees=10)

    response = _bulk(
        admin_api,
        [
            {"external_id": "A", "employees": 11},
            {"external_id": "NEW", "employees": 5},
            {"external_id": "B", "name": "Beta", "employees": -1, "nps": 11},
            {"external_id": "C", "name": "Gamma"},
            {"external_id": "A", "name": "Acme again"},
            "not an object",
        ],
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(error["index"], error["external_id"], sorted(error["errors"])) for error in errors] == [
        (1, "NEW", ["name"]),
        (2, "B", ["employees", "nps"]),
        (4, "A", ["external_id"]),
        (5, None, ["non_field_errors"]),
    ]
    assert errors[2]["errors"]["external_id"] == ["This external id is already in row 0."]
    assert Customer.objects.get(external_id="A").employees == 10
    assert Customer.objects.count() == 1
    assert not CustomerChange.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"customers": []}, "customers"),
        ({"customers": {"external_id": "A"}}, "customers"),
        ({"customers": [{"external_id": "A", "name": "A"}], "dry_run": True}, "dry_run"),
        ({}, "customers"),
        ([{"external_id": "A", "name": "A"}], "non_field_errors"),
    ],
)
def test_it_refuses_a_wrong_envelope(admin_api, body, field):
    response = admin_api.post(BULK, body, format="json")

    assert response.status_code == 400
    assert response.json()[field]


def test_it_refuses_more_than_the_row_limit(admin_api):
    rows = [{"external_id": f"X{n}", "name": f"X{n}"} for n in range(MAX_BULK_ROWS + 1)]

    response = _bulk(admin_api, rows)

    assert response.status_code == 400
    assert "1000" in response.json()["customers"][0]
    assert not Customer.objects.exists()


def test_it_takes_the_row_limit_in_one_request(admin_api):
    rows = [{"external_id": f"X{n}", "name": f"X{n}"} for n in range(MAX_BULK_ROWS)]

    response = _bulk(admin_api, rows)

    assert response.status_code == 200
    assert response.json()["created"] == MAX_BULK_ROWS
    assert Customer.objects.count() == MAX_BULK_ROWS
