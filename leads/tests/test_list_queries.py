"""The lead list runs as many queries for 5 leads as for 60 (more than a page): no query per lead, and no COUNT
but its tabs', each stopping at SEGMENT_COUNT_CAP (SEARCH_COUNT_CAP under a search).

Each row shows its customer, the customer's owner, the disposition and whether the lead is new: all of
it must come with the page's one query (joins and subqueries), whichever filters and order are on.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from leads.models import DispositionStatus, LeadDisposition, LeadListVisit
from leads.selectors import SEARCH_COUNT_CAP, SEGMENT_COUNT_CAP
from leads.tests.factories import customers_score, published_rubric
from leads.views import PER_PAGE
from rubrics.models import LeadAudience
from teams.models import Role

pytestmark = pytest.mark.django_db

FEW, MANY = 5, PER_PAGE + 10

# Each set keeps every lead made below in the list (the dispositioned one aside, for "none").
FILTERS = {
    "defaults": {},
    "search, firmographics, best fit first": {
        "q": "acme",
        "industry": "Software",
        "country": "Germany",
        "region": "EMEA",
        "sort": "fit",
    },
    "stage, score range, not handled yet, by name": {
        "stage": "lead",
        "min_score": 3,
        "max_score": 10,
        "disposition": "none",
        "sort": "name",
    },
    "new since the last visit, grade, most engaged": {"new": "on", "grade": "B", "sort": "engagement"},
}


@pytest.fixture
def people(make_person):
    return {
        Role.ADMIN: make_person(Role.ADMIN, username="avery"),
        Role.SALES_REP: make_person(Role.SALES_REP, username="riley"),
        "other rep": make_person(Role.SALES_REP, username="rowan"),
    }


def _leads(version, count, owners, start):
    """``count`` qualified leads named Acme <n>, owned in turn by ``owners``; the first one accepted."""
    customers = [
        CustomerFactory(
            name=f"Acme {start + n:03d}",
            industry="Software",
            country="Germany",
            region="EMEA",
            lifecycle_stage="lead",
            owner=owners[n % len(owners)],
        )
        for n in range(count)
    ]
    customers_score(version, *customers)
    LeadDisposition.objects.create(
        customer=customers[0], rubric=version.rubric, status=DispositionStatus.ACCEPTED, changed_at=timezone.now()
    )
    return customers


def _list(client, rubric, filters, page=1):
    """The list page's queries (without the planner's "about N" estimate, asked once a next page exists)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("leads:list"), {"rubric": rubric.pk, "page": page, **filters})
    assert response.status_code == 200
    rows = response.content.decode().count('data-testid="lead-score"')
    queries = [query["sql"] for query in captured.captured_queries]
    estimates = [sql for sql in queries if sql.startswith("EXPLAIN")]
    assert len(estimates) <= 1, estimates
    counts = [sql for sql in queries if "COUNT(" in sql.upper() and "rubrics_score" in sql]
    # One statement counts the tabs (new business, expansion, the churned ones expansion hides), each capped.
    assert len(counts) == 1, counts
    cap = SEARCH_COUNT_CAP if filters.get("q") else SEGMENT_COUNT_CAP
    capped = f"LIMIT {cap + 1}) AS capped)"
    assert counts[0].count("COUNT(*)") == counts[0].count(capped) == 3, counts
    return rows, [sql for sql in queries if not sql.startswith("EXPLAIN")]


def _same_queries(few, many):
    new = [sql[:300] for sql in many if sql not in few][:3] or ["(the same statements, more of them)"]
    message = f"{len(few)} queries for a few leads, {len(many)} for more; new ones:\n" + "\n".join(new)
    assert len(many) == len(few), message


@pytest.mark.parametrize("filters", FILTERS.values(), ids=FILTERS.keys())
@pytest.mark.parametrize("role", [Role.ADMIN, Role.SALES_REP])
def test_the_list_runs_the_same_queries_for_a_few_leads_and_a_full_page(client, people, role, filters):
    version = published_rubric(audience=LeadAudience.BOTH)  # the leads are prospects ("lead"): new business
    person = people[role]
    # An admin sees both reps' leads; a rep sees their own (the other rep's are there, hidden).
    owners = [people[Role.SALES_REP], people["other rep"]] if role == Role.ADMIN else [person]
    if role == Role.SALES_REP:
        _leads(version, 3, [people["other rep"]], start=900)
    # A visit a day ago: every lead scored below is new since then (the "new" filter and markers).
    now = timezone.now()
    LeadListVisit.objects.create(user=person, rubric=version.rubric, seen_at=now, new_since=now - datetime.timedelta(1))
    _leads(version, FEW, owners, start=0)
    client.force_login(person)
    _list(client, version.rubric, filters)  # the first request of the visit may write it

    shown, few = _list(client, version.rubric, filters)
    assert 1 <= shown <= FEW
    _leads(version, MANY - FEW, owners, start=FEW)
    shown, many = _list(client, version.rubric, filters)
    assert shown == PER_PAGE
    _same_queries(few, many)
    # The next page too: its rows come with the same single query, whatever its offset.
    shown, second = _list(client, version.rubric, filters, page=2)
    assert 1 <= shown <= MANY - PER_PAGE
    _same_queries(few, second)
