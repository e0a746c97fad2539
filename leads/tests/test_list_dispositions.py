"""The lead list filtered by a disposition (accepted, contacted, disqualified), whichever way it finds its leads
(leads.selectors._leads_handled): by the ids of the few leads with it, read first, or looked up lead by lead."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from leads import selectors
from leads.models import DispositionStatus, DisqualificationReason, LeadDisposition
from leads.selectors import LeadFilters, lead_list
from leads.tests.factories import customers_score, published_rubric
from teams.models import Role

pytestmark = pytest.mark.django_db

# The ids are read on PostgreSQL only; HANDLED_FEW 0: more leads have the disposition than are few.
HANDLED_PATHS = {"ids": selectors.HANDLED_FEW, "looked up lead by lead": 0}


@pytest.fixture(params=HANDLED_PATHS)
def handled_path(request, monkeypatch):
    monkeypatch.setattr(selectors, "HANDLED_FEW", HANDLED_PATHS[request.param])
    return request.param


@pytest.fixture
def handled(make_person):
    """Two reps' leads, six of them handled; and a handled customer that is no lead (it does not qualify)."""
    version = published_rubric(industries=("Software",))
    riley = make_person(Role.SALES_REP, username="riley")
    rowan = make_person(Role.SALES_REP, username="rowan")
    names = ["Accepted 1", "Accepted 2", "Contacted 1", "Disqualified 1", "Open 1", "Rowan accepted", "Unowned"]
    owners = [riley, riley, riley, riley, riley, rowan, None]
    customers = {
        name: CustomerFactory(name=name, owner=owner, industry="Software")
        for name, owner in zip(names, owners, strict=True)
    }
    customers["Retail accepted"] = CustomerFactory(name="Retail accepted", owner=riley, industry="Retail")
    customers_score(version, *customers.values())
    reason = DisqualificationReason.objects.get(label="Wrong size")
    for name, status in [
        ("Accepted 1", DispositionStatus.ACCEPTED),
        ("Accepted 2", DispositionStatus.ACCEPTED),
        ("Contacted 1", DispositionStatus.CONTACTED),
        ("Disqualified 1", DispositionStatus.DISQUALIFIED),
        ("Rowan accepted", DispositionStatus.ACCEPTED),
        ("Retail accepted", DispositionStatus.ACCEPTED),
    ]:
        LeadDisposition.objects.create(
            customer=customers[name],
            rubric=version.rubric,
            status=status,
            reason=reason if status == DispositionStatus.DISQUALIFIED else None,
            changed_at=timezone.now(),
        )
    return version.rubric, riley


def _shown(client, rubric, **params) -> tuple[list[str], list[int]]:
    response = client.get(reverse("leads:list"), {"rubric": rubric.pk, **params})
    assert response.status_code == 200
    names = sorted(lead["customer__name"] for lead in response.context["page"].customers)
    return names, [tab.count for tab in response.context["segments"].tabs]


def test_a_disposition_lists_the_leads_with_it_the_person_may_see(client, make_person, handled, handled_path):
    rubric, riley = handled
    client.force_login(riley)

    assert _shown(client, rubric, disposition="accepted") == (["Accepted 1", "Accepted 2"], [2])
    assert _shown(client, rubric, disposition="contacted") == (["Contacted 1"], [1])
    assert _shown(client, rubric, disposition="disqualified") == (["Disqualified 1"], [1])
    assert _shown(client, rubric, disposition="accepted", q="accepted 2") == (["Accepted 2"], [1])
    client.force_login(make_person(Role.ADMIN))
    assert _shown(client, rubric, disposition="accepted") == (["Accepted 1", "Accepted 2", "Rowan accepted"], [3])
    assert _shown(client, rubric, disposition="accepted", owner=riley.pk) == (["Accepted 1", "Accepted 2"], [2])


def test_without_a_read_a_disposition_filters_the_same(handled, handled_path):
    """What the exports and the API ask (no read first) and what the page asks list the same leads."""
    rubric, riley = handled
    filters = LeadFilters(disposition="accepted")

    unread = sorted(score.customer.name for score in lead_list(user=riley, rubric=rubric, filters=filters))
    read = selectors.lead_filters_read(filters, rubric=rubric)
    shown = sorted(score.customer.name for score in lead_list(user=riley, rubric=rubric, filters=read))

    assert unread == shown == ["Accepted 1", "Accepted 2"]
    assert read.handled == selectors.handled_leads(rubric, "accepted")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the leads' ids are read first on PostgreSQL only")
def test_a_page_and_its_tab_counts_read_a_few_handled_leads_once_and_look_up_no_disposition(client, handled):
    rubric, riley = handled
    client.force_login(riley)

    with CaptureQueriesContext(connection) as captured:
        names, counts = _shown(client, rubric, disposition="accepted")

    statements = [query["sql"] for query in captured.captured_queries]
    read = [sql for sql in statements if sql.lstrip().startswith('SELECT "leads_leaddisposition"."customer_id"')]
    scores = [sql for sql in statements if 'FROM "rubrics_score"' in sql]
    assert (names, counts) == (["Accepted 1", "Accepted 2"], [2])
    assert len(read) == 1, read
    # The page's candidates and the tabs' counts filter by the ids: none looks a disposition up by its status.
    assert scores
    assert not [sql for sql in scores if "\"status\" = 'accepted'" in sql], scores
    assert selectors.handled_leads(rubric, "accepted").ids is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the leads' ids are read first on PostgreSQL only")
def test_more_handled_leads_than_few_are_looked_up_lead_by_lead(handled, monkeypatch):
    rubric, _ = handled
    monkeypatch.setattr(selectors, "HANDLED_FEW", 3)  # four accepted customers (one is no lead)

    assert selectors.handled_leads(rubric, "accepted").ids is None
    assert len(selectors.handled_leads(rubric, "contacted").ids) == 1
