"""The lead list's search and its pages, whichever way a search finds its leads (leads.selectors._leads_searched)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from leads import selectors
from leads.tests.factories import customers_score, published_rubric
from teams.models import Role

pytestmark = pytest.mark.django_db

# How a search may find its leads: by the ids of the few matching customers, joined to the customers (a common
# word), or joined after more customers matched than the sample said.
SEARCH_PATHS = {
    "ids": (True, selectors.SEARCH_FEW),
    "join": (False, selectors.SEARCH_FEW),
    "more than the sample said": (True, 1),
}


@pytest.fixture(params=SEARCH_PATHS)
def search_path(request, monkeypatch):
    rare, few = SEARCH_PATHS[request.param]
    monkeypatch.setattr(selectors, "_search_is_rare", lambda q: rare)
    monkeypatch.setattr(selectors, "SEARCH_FEW", few)
    return request.param


@pytest.fixture
def admin_client(client, make_person):
    client.force_login(make_person(Role.ADMIN))
    return client


def _shown(client, **params) -> tuple[list[str], str]:
    response = client.get(reverse("leads:list"), params)
    assert response.status_code == 200
    # The page's text with its lines joined, as a reader sees it.
    return [lead["customer__name"] for lead in response.context["page"].customers], " ".join(
        response.content.decode().split()
    )


def test_it_finds_leads_by_a_word_inside_their_name_or_domain_in_any_case(admin_client, search_path):
    version = published_rubric(industries=("Software",))
    customers = [
        CustomerFactory(name="Brightloop Systems", domain="systems.example", industry="Software"),
        CustomerFactory(name="Northbright Labs", domain="labs.example", industry="Software"),
        CustomerFactory(name="Plain Company", domain="brightloop-shop.example", industry="Software"),
        CustomerFactory(name="Unrelated Inc", domain="other.example", industry="Software"),
        CustomerFactory(name="Brightloop Retail", domain="retail.example", industry="Retail"),  # not a lead
    ]
    customers_score(version, *customers)

    bright, page = _shown(admin_client, q="BRIGHT")
    loop, _ = _shown(admin_client, q="Loop")
    nothing, empty = _shown(admin_client, q="zzz")

    assert sorted(bright) == ["Brightloop Systems", "Northbright Labs", "Plain Company"]
    assert "Leads 1–3 of 3" in page
    assert sorted(loop) == ["Brightloop Systems", "Plain Company"]
    assert nothing == []
    assert "No qualified lead matches." in empty


def test_a_search_keeps_a_reps_view_to_their_own_leads(client, make_person, search_path):
    version = published_rubric(industries=("Software",))
    riley = make_person(Role.SALES_REP, username="riley")
    rowan = make_person(Role.SALES_REP, username="rowan")
    customers = [
        CustomerFactory(name="Brightloop One", owner=riley, industry="Software"),
        CustomerFactory(name="Brightloop Two", owner=rowan, industry="Software"),
    ]
    customers_score(version, *customers)
    client.force_login(riley)

    names, _ = _shown(client, q="brightloop")

    assert names == ["Brightloop One"]


def test_deep_pages_show_their_leads_and_the_last_one_counts_them(admin_client, search_path):
    version = published_rubric(industries=("Software",))
    alphas = CustomerFactory.create_batch(70, name="Alpha Trading", industry="Software")
    betas = CustomerFactory.create_batch(50, name="Beta Trading", industry="Software")
    customers_score(version, *alphas, *betas)  # all score 3: the list runs by customer id

    first, first_page = _shown(admin_client)
    _, third_page = _shown(admin_client, page=3)
    searched, searched_page = _shown(admin_client, q="alpha", page=2)
    past_the_end, past_page = _shown(admin_client, q="alpha", page=3)

    assert len(first) == 50
    assert "Leads 1–50 by" in first_page
    assert ">Next</a>" in first_page
    assert "Leads 101–120 of 120" in third_page
    assert ">Next</a>" not in third_page
    assert ">Previous</a>" in third_page
    assert searched == ["Alpha Trading"] * 20
    assert "Leads 51–70 of 70" in searched_page
    assert ">Next</a>" not in searched_page
    assert past_the_end == []
    assert "No qualified lead matches." in past_page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the sample and the ids' read are PostgreSQL's")
def test_a_page_and_its_tab_counts_read_what_a_search_matched_once(admin_client):
    version = published_rubric(industries=("Software",))
    customers_score(version, CustomerFactory(name="Brightloop One", industry="Software"))

    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse("leads:list"), {"q": "brightloop"})

    statements = [query["sql"] for query in captured.captured_queries]
    assert [lead["customer__name"] for lead in response.context["page"].customers] == ["Brightloop One"]
    assert [tab.count for tab in response.context["segments"].tabs] == [1]
    assert sum("TABLESAMPLE" in sql for sql in statements) == 1
    assert sum("'enable_seqscan', 'off'" in sql for sql in statements) == 1
