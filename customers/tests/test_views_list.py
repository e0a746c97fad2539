import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import LifecycleStage
from customers.tests.factories import CustomerFactory
from teams.models import Role


def _names(response):
    return [customer.name for customer in response.context["page"].customers]


@pytest.mark.parametrize("role", Role.values)
def test_it_shows_the_list_to_every_role(client_as, role):
    client = client_as(role)
    CustomerFactory(name="Northwind Software")

    response = client.get(reverse("customers:list"))

    assert response.status_code == 200
    assert "Northwind Software" in response.content.decode()


def test_it_searches_names_domains_and_external_ids(client_as):
    client = client_as(Role.MEMBER)
    CustomerFactory(name="Northwind Software", domain="nw.example", external_id="CRM-1")
    CustomerFactory(name="Bluegate Labs", domain="northwind-labs.example", external_id="CRM-2")
    CustomerFactory(name="Redpeak Capital", domain="redpeak.example", external_id="CRM-3")
    url = reverse("customers:list")

    assert _names(client.get(url, {"q": "northwind"})) == ["Bluegate Labs", "Northwind Software"]
    assert _names(client.get(url, {"q": "CRM-3"})) == ["Redpeak Capital"]
    assert _names(client.get(url, {"q": "RED"})) == ["Redpeak Capital"]


def test_it_matches_a_short_search_whole(client_as):
    client = client_as(Role.MEMBER)
    CustomerFactory(name="HP")
    CustomerFactory(name="Hyperion Partners")

    assert _names(client.get(reverse("customers:list"), {"q": "hp"})) == ["HP"]


def test_it_filters_by_industry_country_region_stage_and_owner(client_as, make_person):
    client = client_as(Role.ADMIN)
    rep = make_person(Role.SALES_REP)
    CustomerFactory(name="A", industry="Retail", country="France", region="EMEA", owner=rep)
    CustomerFactory(name="B", industry="Retail", country="Japan", region="APAC", lifecycle_stage=LifecycleStage.LEAD)
    CustomerFactory(name="C", industry="Energy", country="France", region="EMEA")
    url = reverse("customers:list")

    assert _names(client.get(url, {"industry": "Retail"})) == ["A", "B"]
    assert _names(client.get(url, {"country": "France"})) == ["A", "C"]
    assert _names(client.get(url, {"region": "APAC"})) == ["B"]
    assert _names(client.get(url, {"stage": LifecycleStage.LEAD})) == ["B"]
    assert _names(client.get(url, {"owner": rep.pk})) == ["A"]
    assert _names(client.get(url, {"owner": "none"})) == ["B", "C"]
    assert _names(client.get(url, {"industry": "Retail", "country": "France"})) == ["A"]


def test_it_offers_the_existing_values_in_the_filters(client_as):
    client = client_as(Role.MEMBER)
    CustomerFactory(industry="Retail", country="France", region="EMEA")
    CustomerFactory(industry="Energy", country="Japan", region="APAC")
    CustomerFactory(industry="", country="", region="")

    content = client.get(reverse("customers:list")).content.decode()

    for value in ("Retail", "Energy", "France", "Japan", "EMEA", "APAC"):
        assert f'<option value="{value}"' in content


def test_it_sorts_with_unknown_values_last_and_the_id_as_tie_break(client_as):
    client = client_as(Role.MEMBER)
    small = CustomerFactory(name="Small", employees=10, annual_revenue=None)
    unknown = CustomerFactory(name="Unknown", employees=None, annual_revenue=5)
    big = CustomerFactory(name="Big", employees=900, annual_revenue=1)
    twin = CustomerFactory(name="Big", employees=900, annual_revenue=1)
    url = reverse("customers:list")

    by_employees = client.get(url, {"sort": "-employees"}).context["page"].customers
    by_revenue = client.get(url, {"sort": "-annual_revenue"}).context["page"].customers
    by_name_desc = client.get(url, {"sort": "-name"}).context["page"].customers

    assert by_employees == [big, twin, small, unknown]
    assert by_revenue == [unknown, big, twin, small]
    assert by_name_desc == [unknown, small, twin, big]


def test_it_pages_without_counting(client_as):
    client = client_as(Role.MEMBER)
    CustomerFactory.create_batch(30)
    url = reverse("customers:list")

    with CaptureQueriesContext(connection) as queries:
        first = client.get(url, {"per_page": 25})
    second = client.get(url, {"per_page": 25, "page": 2})

    assert first.context["page"].has_next
    assert len(first.context["page"].customers) == 25
    assert not second.context["page"].has_next
    assert len(second.context["page"].customers) == 5
    assert second.context["page"].exact_total == 30
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)


def test_it_stops_paging_at_the_browsable_limit(client_as, monkeypatch):
    monkeypatch.setattr("customers.selectors.MAX_BROWSABLE_ROWS", 50)
    client = client_as(Role.MEMBER)
    CustomerFactory.create_batch(60)

    response = client.get(reverse("customers:list"), {"per_page": 25, "page": 9})

    page = response.context["page"]
    assert (page.number, page.capped, page.has_next) == (2, True, False)
    assert "narrow the search" in response.content.decode()


def test_it_reads_a_page_in_the_same_number_of_queries_whatever_its_size(client_as, make_person):
    client = client_as(Role.MEMBER)
    for _ in range(30):
        CustomerFactory(owner=make_person(Role.SALES_REP))
    url = reverse("customers:list")
    client.get(url)  # the session and the user are loaded alike below

    with CaptureQueriesContext(connection) as small_page:
        client.get(url, {"per_page": 25, "page": 2})
    with CaptureQueriesContext(connection) as large_page:
        client.get(url, {"per_page": 100})

    assert len(large_page) == len(small_page)


def test_it_ignores_bad_parameters(client_as):
    client = client_as(Role.MEMBER)
    CustomerFactory(name="Only")

    response = client.get(reverse("customers:list"), {"page": "x", "sort": "drop", "owner": "1;--", "per_page": 7})

    assert response.status_code == 200
    assert _names(response) == ["Only"]


def test_it_serves_the_results_fragment_for_htmx(client_as):
    client = client_as(Role.MEMBER)
    CustomerFactory(name="Northwind Software", industry="Software")

    response = client.get(reverse("customers:results"), {"industry": "Software"}, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Northwind Software" in content
    assert "<html" not in content
    assert response["HX-Push-Url"] == reverse("customers:list") + "?industry=Software"
