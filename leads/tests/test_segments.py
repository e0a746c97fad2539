"""New business and expansion apart: the lead list's tabs and their counts, churned accounts hidden until asked
for, a rubric's marking, and the exports and the API listing what the page lists."""

import csv
import datetime
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from customers.tests.factories import CustomerFactory
from leads import selectors
from leads.models import SavedLeadView
from leads.tests.factories import customers_score, published_rubric
from rubrics.models import LeadAudience, QualificationChange, Rubric
from teams.models import Role
from teams.services import api_token_create

pytestmark = pytest.mark.django_db

# The planted base: name -> lifecycle stage, industry (Software qualifies: 3 points, threshold 3), owner.
PLANTED = {
    "Prospect One": ("prospect", "Software", "riley"),
    "Lead Two": ("lead", "Software", None),
    "Opportunity Three": ("opportunity", "Software", "rowan"),
    "Prospect Retail": ("prospect", "Retail", None),  # does not qualify
    "Customer One": ("customer", "Software", "riley"),
    "Customer Two": ("customer", "Software", "rowan"),
    "Customer Retail": ("customer", "Retail", "riley"),  # does not qualify
    "Churned One": ("churned", "Software", "riley"),
    "Churned Two": ("churned", "Software", None),
    "Churned Three": ("churned", "Software", "rowan"),
    "Churned Retail": ("churned", "Retail", None),  # does not qualify
}
# Counted by hand from PLANTED: the qualified (Software) accounts of each kind.
NEW_BUSINESS = {"Prospect One", "Lead Two", "Opportunity Three"}
EXPANSION = {"Customer One", "Customer Two"}
CHURNED = {"Churned One", "Churned Two", "Churned Three"}
# Riley (a rep) sees their own and unowned accounts.
RILEY_NEW_BUSINESS = {"Prospect One", "Lead Two"}
RILEY_EXPANSION = {"Customer One"}
RILEY_CHURNED = {"Churned One", "Churned Two"}


@pytest.fixture
def base(make_person):
    version = published_rubric(audience=LeadAudience.BOTH)
    people = {
        "admin": make_person(Role.ADMIN, username="avery"),
        "riley": make_person(Role.SALES_REP, username="riley"),
        "rowan": make_person(Role.SALES_REP, username="rowan"),
    }
    customers = [
        CustomerFactory(name=name, lifecycle_stage=stage, industry=industry, owner=people.get(owner))
        for name, (stage, industry, owner) in PLANTED.items()
    ]
    customers_score(version, *customers)
    return version.rubric, people


def _page(client, rubric, **query):
    response = client.get(reverse("leads:list"), {"rubric": rubric.pk, **query})
    assert response.status_code == 200
    return response.content.decode()


def _names(html: str) -> set[str]:
    rows = re.findall(r'<tr data-testid="lead-row">.*?</tr>', html, re.S)
    return {re.search(r'aria-label="Select ([^"]+)"', row).group(1) for row in rows}


def _tabs(html: str) -> dict[str, str]:
    """Each tab's count as shown, by segment."""
    found = re.findall(r'data-testid="segment-(\w+)".*?data-testid="segment-count">([^<]+)</span>', html, re.S)
    return dict(found)


def _active_tab(html: str) -> str:
    return re.search(r'class="nav-link active"\s+aria-current="page"\s+data-testid="segment-(\w+)"', html).group(1)


def test_it_opens_on_new_business_with_each_tab_counted(base, client):
    rubric, people = base
    client.force_login(people["admin"])

    html = _page(client, rubric)

    assert _names(html) == NEW_BUSINESS
    assert _active_tab(html) == "new_business"
    assert _tabs(html) == {"new_business": "3", "expansion": "2"}


def test_the_expansion_tab_lists_customers_and_says_how_many_churned_it_hides(base, client):
    rubric, people = base
    client.force_login(people["admin"])

    html = _page(client, rubric, segment="expansion")

    assert _names(html) == EXPANSION
    assert _active_tab(html) == "expansion"
    assert _tabs(html) == {"new_business": "3", "expansion": "2"}
    assert "3 churned accounts hidden." in html
    assert re.search(r"Show churned accounts\s+\(3 hidden\)", html)


def test_churned_accounts_show_when_asked_for(base, client):
    rubric, people = base
    client.force_login(people["admin"])

    html = _page(client, rubric, segment="expansion", churned="on")

    assert _names(html) == EXPANSION | CHURNED
    assert _tabs(html) == {"new_business": "3", "expansion": "5"}
    assert "Churned accounts are shown (3)." in html
    assert "hidden" not in re.search(r'data-testid="segment-note">(.*?)</p>', html, re.S).group(1)


def test_asking_for_the_churned_stage_shows_them(base, client):
    rubric, people = base
    client.force_login(people["admin"])

    assert _names(_page(client, rubric, segment="expansion", stage="churned")) == CHURNED


@pytest.mark.parametrize(
    ("asked", "stage", "tab", "listed"),
    [
        ("", "customer", "expansion", {"Customer One", "Customer Two"}),
        ("new_business", "churned", "expansion", CHURNED),
        ("expansion", "prospect", "new_business", {"Prospect One"}),
        ("expansion", "", "expansion", EXPANSION),
    ],
)
def test_a_stage_asked_for_opens_the_tab_that_lists_it(base, client, asked, stage, tab, listed):
    rubric, people = base
    client.force_login(people["admin"])

    html = _page(client, rubric, segment=asked, stage=stage)

    assert _active_tab(html) == tab
    assert _names(html) == listed


def test_the_other_tab_counts_and_links_its_leads_without_the_stage(base, client):
    rubric, people = base
    client.force_login(people["admin"])

    html = _page(client, rubric, stage="customer")

    assert _tabs(html) == {"new_business": "3", "expansion": "2"}
    link = re.search(r'data-testid="segment-new_business"\s+href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "stage=" not in link
    assert "segment=new_business" in link
    response = client.get(reverse("leads:list") + link)
    assert _names(response.content.decode()) == NEW_BUSINESS


def test_churned_accounts_never_show_under_new_business(base, client):
    rubric, people = base
    client.force_login(people["admin"])

    html = _page(client, rubric, churned="on")

    assert _names(html) == NEW_BUSINESS
    assert 'name="churned" value="on"' in html  # kept for the expansion tab, not offered here
    assert "Show churned accounts" not in html


def test_a_reps_tabs_count_only_the_leads_they_may_see(base, client):
    rubric, people = base
    client.force_login(people["riley"])

    html = _page(client, rubric, segment="expansion", owner="any")

    assert _names(html) == RILEY_EXPANSION
    assert _tabs(html) == {"new_business": "2", "expansion": "1"}
    assert "2 churned accounts hidden." in html
    assert _names(_page(client, rubric, owner="any")) == RILEY_NEW_BUSINESS
    assert _names(_page(client, rubric, segment="expansion", owner="any", churned="on")) == (
        RILEY_EXPANSION | RILEY_CHURNED
    )


def test_the_counts_follow_the_other_filters(base, client):
    rubric, people = base
    client.force_login(people["admin"])

    html = _page(client, rubric, q="One")

    assert _names(html) == {"Prospect One"}
    assert _tabs(html) == {"new_business": "1", "expansion": "1"}


def test_the_counts_of_new_leads_count_only_them_and_leave_the_planner_as_it_was(base):
    """Under "new since my last visit", each tab counts its leads that qualified since then (the counts' statement
    is planned without merge joins for it, a setting that must not outlast it)."""
    rubric, people = base
    since = timezone.now()
    older = since - datetime.timedelta(days=2)
    # Qualified before the visit: all but Lead Two, Customer Two and Churned Three (one of each tab).
    QualificationChange.objects.filter(rubric=rubric).exclude(
        customer__name__in=["Lead Two", "Customer Two", "Churned Three"]
    ).update(changed_at=older)
    QualificationChange.objects.filter(rubric=rubric, changed_at__gt=older).update(
        changed_at=since + datetime.timedelta(minutes=1)
    )

    counts = selectors.lead_segment_counts(
        user=people["admin"], rubric=rubric, filters=selectors.LeadFilters(owner=selectors.ANY, qualified_since=since)
    )

    assert {tab.segment: tab.count for tab in counts.tabs} == {"new_business": 1, "expansion": 1}
    assert counts.churned.count == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_mergejoin")
            assert cursor.fetchone()[0] == "on"


def test_new_leads_are_counted_from_the_latest_accounts_first(make_person, monkeypatch):
    """60 qualified leads of one stage, no owner, the latest 10 of them new since the visit; the cap at 5. The
    count of new ones reads the stage's leads newest first and stops at the sixth new one: 6 leads read, where in
    the table's order it read the 50 older ones first (56)."""
    monkeypatch.setattr(selectors, "SEGMENT_COUNT_CAP", 5)
    version = published_rubric(audience=LeadAudience.NEW_BUSINESS)
    admin = make_person(Role.ADMIN)
    # Before them, accounts the tab does not list: customers (expansion) and leads that do not qualify.
    others = [CustomerFactory(industry="Software", lifecycle_stage="customer") for _ in range(200)]
    others += [CustomerFactory(industry="Retail", lifecycle_stage="lead") for _ in range(200)]
    customers = [CustomerFactory(industry="Software", lifecycle_stage="lead") for _ in range(60)]
    customers_score(version, *others, *customers)
    since = timezone.now()
    QualificationChange.objects.filter(rubric=version.rubric).update(changed_at=since - datetime.timedelta(days=1))
    QualificationChange.objects.filter(customer__in=customers[-10:]).update(
        changed_at=since + datetime.timedelta(minutes=1)
    )
    filters = selectors.LeadFilters(owner=selectors.ANY, qualified_since=since)

    with CaptureQueriesContext(connection) as captured:
        counts = selectors.lead_segment_counts(user=admin, rubric=version.rubric, filters=filters)

    assert [(tab.segment, tab.count, tab.capped) for tab in counts.tabs] == [("new_business", 5, True)]
    (statement,) = [query["sql"] for query in captured.captured_queries if "COUNT(*)" in query["sql"]]
    with connection.cursor() as cursor:
        # The scores read through their indexes, as on a large base (a table this small would be read whole).
        cursor.execute("ANALYZE rubrics_score, rubrics_qualificationchange")
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")  # as the counts of new leads are planned
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    assert _score_rows_read(plan[0]["Plan"]) == 6


def _score_rows_read(node: dict) -> int:
    """The rows the plan's scans of the scores' partitions returned, in all."""
    own = node.get("Actual Rows", 0) * node.get("Actual Loops", 1) if "Scan" in node["Node Type"] else 0
    own = own if node.get("Relation Name", "").startswith("rubrics_score") else 0
    return own + sum(_score_rows_read(child) for child in node.get("Plans", []))


def test_a_count_stops_at_the_cap(base, client, monkeypatch):
    rubric, people = base
    monkeypatch.setattr(selectors, "SEGMENT_COUNT_CAP", 2)
    client.force_login(people["admin"])

    html = _page(client, rubric, segment="expansion", churned="on")

    assert _tabs(html) == {"new_business": "2+", "expansion": "2+"}
    assert _names(html) == EXPANSION | CHURNED  # the list itself is not capped


def test_under_a_search_a_count_stops_at_the_search_cap(base, client, monkeypatch):
    """The planted base's names: "One" is in Prospect One, Customer One and Churned One (the qualified ones)."""
    rubric, people = base
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 1)
    client.force_login(people["admin"])

    searched = _page(client, rubric, q="o", segment="expansion", churned="on")
    plain = _page(client, rubric, segment="expansion", churned="on")

    # Every qualified name has an "o": 3 new business, 2 customers and 3 churned, all over the cap of 1.
    assert _tabs(searched) == {"new_business": "1+", "expansion": "1+"}
    assert _names(searched) == EXPANSION | CHURNED  # the list itself is not capped
    assert _tabs(plain) == {"new_business": "3", "expansion": "5"}, "without a search, the cap is SEGMENT_COUNT_CAP"
    # One match in each tab: the count is exact at the cap.
    assert _tabs(_page(client, rubric, q="one", segment="expansion")) == {"new_business": "1", "expansion": "1"}


@pytest.mark.parametrize(
    ("audience", "asked", "listed", "tabs"),
    [
        (LeadAudience.NEW_BUSINESS, "", NEW_BUSINESS, {"new_business": "3"}),
        (LeadAudience.NEW_BUSINESS, "expansion", NEW_BUSINESS, {"new_business": "3"}),
        (LeadAudience.EXPANSION, "", EXPANSION, {"expansion": "2"}),
        (LeadAudience.EXPANSION, "new_business", EXPANSION, {"expansion": "2"}),
        (LeadAudience.BOTH, "expansion", EXPANSION, {"new_business": "3", "expansion": "2"}),
    ],
)
def test_the_rubrics_marking_decides_the_tabs(base, client, audience, asked, listed, tabs):
    rubric, people = base
    Rubric.objects.filter(pk=rubric.pk).update(audience=audience)
    client.force_login(people["admin"])

    html = _page(client, rubric, segment=asked)

    assert _names(html) == listed
    assert _tabs(html) == tabs


def test_a_rubric_for_new_business_lists_no_customer_even_with_churned_asked_for(base, client):
    rubric, people = base
    Rubric.objects.filter(pk=rubric.pk).update(audience=LeadAudience.NEW_BUSINESS)
    client.force_login(people["admin"])

    html = _page(client, rubric, segment="expansion", churned="on", stage="customer")

    assert _names(html) == set()
    assert "This rubric is marked for new business (prospects) only." in html


def test_a_rubric_for_expansion_lists_no_prospect(base, client):
    rubric, people = base
    Rubric.objects.filter(pk=rubric.pk).update(audience=LeadAudience.EXPANSION)
    client.force_login(people["admin"])

    for stage in ("prospect", "lead", "opportunity", ""):
        assert _names(_page(client, rubric, segment="new_business", stage=stage)) & NEW_BUSINESS == set()


def test_a_segment_it_does_not_know_is_a_filter_error_on_the_page(base, client):
    rubric, people = base
    client.force_login(people["admin"])

    html = _page(client, rubric, segment="upsell")

    assert "Some filters were not understood" in html
    assert _names(html) == NEW_BUSINESS


@pytest.mark.parametrize("query", [{"grade": "Z"}, {"grade": "Q", "engagement": "high"}])
def test_a_filter_that_matches_nothing_counts_every_tab_zero(base, client, query):
    rubric, people = base
    client.force_login(people["admin"])

    html = _page(client, rubric, segment="expansion", **query)

    assert _names(html) == set()
    assert _tabs(html) == {"new_business": "0", "expansion": "0"}
    assert "churned accounts hidden." not in html
    assert re.search(r"Show churned accounts\s+\(0 hidden\)", html)


# The page, the exports and the API list the same leads.

QUERIES = [
    {},
    {"segment": "new_business"},
    {"segment": "expansion"},
    {"segment": "expansion", "churned": "on"},
    {"segment": "expansion", "stage": "churned"},
    {"churned": "on"},
]


def _exported(client, rubric, query) -> set[str]:
    response = client.get(reverse("leads:export_csv"), {"rubric": rubric.pk, **query})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row["account"] for row in csv.DictReader(io.StringIO(content))}


def _api(person, rubric, query) -> set[str]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=person, name='tests')[1]}")
    api_query = {**query}
    if "churned" in api_query:
        api_query["churned"] = "true"
    response = client.get(reverse("api:lead-list"), {"rubric": rubric.pk, **api_query})
    assert response.status_code == 200, response.content
    return {lead["name"] for lead in response.json()["results"]}


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("who", ["admin", "riley"])
def test_the_exports_and_the_api_list_what_the_page_lists(base, client, query, who):
    rubric, people = base
    person = people[who]
    client.force_login(person)
    query = {**query, "owner": "any"} if who == "riley" else query

    listed = _names(_page(client, rubric, **query))

    assert listed  # every query above lists someone
    assert _exported(client, rubric, query) == listed
    assert _api(person, rubric, query) == listed


@pytest.mark.parametrize("audience", [LeadAudience.NEW_BUSINESS, LeadAudience.EXPANSION])
def test_the_exports_and_the_api_follow_the_rubrics_marking(base, client, audience):
    rubric, people = base
    Rubric.objects.filter(pk=rubric.pk).update(audience=audience)
    client.force_login(people["admin"])
    expected = NEW_BUSINESS if audience == LeadAudience.NEW_BUSINESS else EXPANSION

    assert _names(_page(client, rubric)) == expected
    assert _exported(client, rubric, {}) == expected
    assert _api(people["admin"], rubric, {}) == expected


def test_the_api_refuses_a_segment_the_rubric_is_not_marked_for(base):
    rubric, people = base
    Rubric.objects.filter(pk=rubric.pk).update(audience=LeadAudience.NEW_BUSINESS)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=people['admin'], name='tests')[1]}")

    response = client.get(reverse("api:lead-list"), {"rubric": rubric.pk, "segment": "expansion"})

    assert response.status_code == 400
    assert response.json() == {
        "segment": ["This rubric is marked for new business (prospects) only: its leads are new business."]
    }


def test_the_api_refuses_an_unknown_segment(base):
    rubric, people = base
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=people['admin'], name='tests')[1]}")

    response = client.get(reverse("api:lead-list"), {"rubric": rubric.pk, "segment": "upsell"})

    assert response.status_code == 400
    assert list(response.json()) == ["segment"]


def test_a_saved_view_keeps_the_tab_and_the_churned_accounts(base, client):
    rubric, people = base
    client.force_login(people["admin"])

    response = client.post(
        reverse("leads:view_save"),
        {"name": "Win-backs", "query": f"rubric={rubric.pk}&segment=expansion&churned=on"},
    )

    assert response.status_code == 302
    view = SavedLeadView.objects.get(user=people["admin"], name="Win-backs")
    assert view.query == f"rubric={rubric.pk}&segment=expansion&churned=on"
    opened = client.get(view.get_absolute_url())
    assert _names(opened.content.decode()) == EXPANSION | CHURNED
