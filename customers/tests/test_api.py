import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import ChangeAction, ChangeSource, Customer, CustomerChange, LifecycleStage
from customers.tests.factories import CustomerFactory
from teams.models import Role

LIST = reverse("api:customer-list")
NOT_ADMINS = [Role.FACILITATOR, Role.MEMBER, Role.SALES_REP]


def _detail(external_id):
    return reverse("api:customer-detail", args=[external_id])


@pytest.fixture
def rep(make_person):
    return make_person(Role.SALES_REP, username="riley")


def test_a_member_reads_the_list_and_one_customer(api_as, rep):
    CustomerFactory(external_id="CRM-1", name="Acme", owner=rep, extra={"tier": "gold"})
    client = api_as(Role.MEMBER)

    listed = client.get(LIST)
    one = client.get(_detail("CRM-1"))

    assert listed.status_code == 200
    assert [row["external_id"] for row in listed.json()["results"]] == ["CRM-1"]
    assert one.status_code == 200
    assert one.json()["name"] == "Acme"
    assert one.json()["owner"] == "riley"
    assert one.json()["extra"] == {"tier": "gold"}


def test_it_finds_a_customer_by_an_external_id_with_any_characters_but_a_slash(api_as):
    CustomerFactory(external_id="0061x00000 Zé:#?%&+.")

    response = api_as(Role.MEMBER).get("/api/customers/0061x00000%20Z%C3%A9%3A%23%3F%25%26%2B./")

    assert response.status_code == 200
    assert response.json()["external_id"] == "0061x00000 Zé:#?%&+."


@pytest.mark.parametrize("external_id", ["missing", "nul%00here"])
def test_it_answers_404_for_an_unknown_external_id(api_as, external_id):
    response = api_as(Role.MEMBER).get(f"/api/customers/{external_id}/")

    assert response.status_code == 404
    assert response.json()["detail"]


def test_it_creates_a_customer_through_the_service_with_the_api_as_source(api_as, rep):
    client = api_as(Role.ADMIN)

    response = client.post(
        LIST,
        {"external_id": "CRM-9", "name": "Acme", "owner": "riley", "employees": 12, "extra": {"tier": "gold"}},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["owner"] == "riley"
    customer = Customer.objects.get(external_id="CRM-9")
    assert (customer.owner, customer.employees, customer.extra) == (rep, 12, {"tier": "gold"})
    change = CustomerChange.objects.get()
    assert (change.action, change.source, change.changed_by) == (ChangeAction.CREATED, ChangeSource.API, client.person)


def test_it_refuses_to_create_a_second_customer_with_the_same_external_id(api_as):
    CustomerFactory(external_id="CRM-1")

    response = api_as(Role.ADMIN).post(LIST, {"external_id": "CRM-1", "name": "Again"}, format="json")

    assert response.status_code == 400
    assert response.json()["external_id"]
    assert Customer.objects.count() == 1


def test_it_changes_only_the_given_fields_and_merges_extra(api_as):
    CustomerFactory(external_id="CRM-1", name="Acme", industry="Retail", extra={"tier": "gold", "seats": 3})
    client = api_as(Role.ADMIN)

    response = client.patch(_detail("CRM-1"), {"employees": 99, "extra": {"seats": 5}}, format="json")

    assert response.status_code == 200
    assert response.json()["extra"] == {"tier": "gold", "seats": 5}
    customer = Customer.objects.get(external_id="CRM-1")
    assert (customer.name, customer.industry, customer.employees) == ("Acme", "Retail", 99)
    change = CustomerChange.objects.get()
    assert change.source == ChangeSource.API
    assert change.changes["employees"] == [250, 99]


def test_it_clears_the_owner_with_null(api_as, rep):
    CustomerFactory(external_id="CRM-1", owner=rep)

    response = api_as(Role.ADMIN).patch(_detail("CRM-1"), {"owner": None}, format="json")

    assert response.status_code == 200
    assert Customer.objects.get(external_id="CRM-1").owner is None


def test_it_deletes_a_customer_and_logs_it(api_as):
    CustomerFactory(external_id="CRM-1")

    response = api_as(Role.ADMIN).delete(_detail("CRM-1"))

    assert response.status_code == 204
    assert not Customer.objects.exists()
    change = CustomerChange.objects.get()
    assert (change.action, change.source, change.external_id) == (ChangeAction.DELETED, ChangeSource.API, "CRM-1")


def test_it_does_not_offer_put(api_as):
    CustomerFactory(external_id="CRM-1")

    response = api_as(Role.ADMIN).put(_detail("CRM-1"), {"name": "X"}, format="json")

    assert response.status_code == 405


@pytest.mark.parametrize("role", NOT_ADMINS)
@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", LIST, {"external_id": "CRM-2", "name": "New"}),
        ("patch", _detail("CRM-1"), {"name": "Changed"}),
        ("delete", _detail("CRM-1"), None),
        ("post", reverse("api:customer-bulk"), {"customers": [{"external_id": "CRM-2", "name": "New"}]}),
    ],
)
@pytest.mark.parametrize("signed_in_by", ["token", "session"])
def test_it_lets_only_admins_write(api_as, client_as, role, method, url, body, signed_in_by):
    CustomerFactory(external_id="CRM-1", name="Acme")
    client = api_as(role) if signed_in_by == "token" else client_as(role)

    response = getattr(client, method)(url, body, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only admins may change data through the API."
    assert list(Customer.objects.values_list("external_id", "name")) == [("CRM-1", "Acme")]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"industry": "Retail"}, ["B", "C"]),
        ({"country": "France"}, ["C"]),
        ({"region": "APAC"}, ["D"]),
        ({"lifecycle_stage": LifecycleStage.LEAD}, ["B"]),
        ({"owner": "riley"}, ["A", "C"]),
        ({"q": "globex"}, ["C"]),
        ({"q": "initech.example"}, ["D"]),
        ({"q": "crm-b"}, ["B"]),
        ({"industry": "Software", "owner": "riley"}, ["A"]),
    ],
)
def test_it_filters_the_list(api_as, rep, params, expected):
    CustomerFactory(external_id="CRM-A", name="Acme", owner=rep)
    CustomerFactory(external_id="CRM-B", name="Beta", industry="Retail", lifecycle_stage=LifecycleStage.LEAD)
    CustomerFactory(external_id="CRM-C", name="Globex", country="France", industry="Retail", owner=rep)
    CustomerFactory(external_id="CRM-D", name="Delta", region="APAC", domain="initech.example")

    response = api_as(Role.MEMBER).get(LIST, params)

    assert response.status_code == 200
    assert [row["external_id"] for row in response.json()["results"]] == [f"CRM-{x}" for x in expected]


def test_it_lists_what_changed_since_a_moment(api_as):
    old = CustomerFactory(external_id="OLD")
    Customer.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=2))
    CustomerFactory(external_id="NEW")
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()

    response = api_as(Role.MEMBER).get(LIST, {"updated_since": since})

    assert [row["external_id"] for row in response.json()["results"]] == ["NEW"]


@pytest.mark.parametrize("offset", ["+20:00", "-18:30", "+23:59"])
def test_a_moment_with_any_offset_iso_allows_is_understood(api_as, offset):
    """PostgreSQL refuses offsets beyond ±15:59: the API compares the same moment in UTC instead of a 500."""
    sign, hours, minutes = (1 if offset[0] == "+" else -1), int(offset[1:3]), int(offset[4:])
    offset_delta = sign * datetime.timedelta(hours=hours, minutes=minutes)
    moment = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone(offset_delta)).astimezone(datetime.UTC)
    before, after = CustomerFactory(external_id="BEFORE"), CustomerFactory(external_id="AFTER")
    Customer.objects.filter(pk=before.pk).update(updated_at=moment - datetime.timedelta(minutes=1))
    Customer.objects.filter(pk=after.pk).update(updated_at=moment + datetime.timedelta(minutes=1))

    response = api_as(Role.MEMBER).get(LIST, {"updated_since": f"2026-01-01T00:00:00{offset}"})

    assert response.status_code == 200
    assert [row["external_id"] for row in response.json()["results"]] == ["AFTER"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lifecycle_stage": "partner"}, "lifecycle_stage"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "0001-01-01T00:00:00+05:00"}, "updated_since"),
        ({"industry": "nul\x00"}, "industry"),
    ],
)
def test_it_refuses_a_wrong_filter_with_400(api_as, params, field):
    response = api_as(Role.MEMBER).get(LIST, params)

    assert response.status_code == 400
    assert response.json()[field]


def test_it_pages_by_cursor_in_id_order_without_gaps_or_repeats(api_as):
    ids = [CustomerFactory(name=f"Z{n}" if n % 2 else f"A{n}").external_id for n in range(7)]
    client = api_as(Role.MEMBER)

    seen, url = [], f"{LIST}?page_size=3"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 3
        seen += [row["external_id"] for row in page["results"]]
        url = page["next"]

    assert seen == ids


@pytest.mark.parametrize("cursor", ["not-base64!", "cD1hYmM=", "cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ=="])
def test_it_answers_404_for_a_wrong_cursor(api_as, cursor):
    CustomerFactory()

    response = api_as(Role.MEMBER).get(LIST, {"cursor": cursor})

    assert response.status_code == 404
    assert response.json()["detail"] == "Invalid cursor"


def test_the_schema_and_the_docs_are_served_without_a_cdn(client):
    schema = client.get(reverse("api:schema"), {"format": "json"})
    docs = client.get(reverse("api:docs"))

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/customers/", "/api/customers/{external_id}/", "/api/customers/bulk/"} <= set(paths)
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn" not in html.lower()
