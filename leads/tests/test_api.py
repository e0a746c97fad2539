import datetime
from urllib.parse import parse_qs, urlsplit

import hypothesis
import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from customers.tests.factories import CustomerFactory
from leads.models import DisqualificationReason
from leads.services.dispositions import lead_disposition_set
from leads.tests.factories import customers_score, published_rubric
from rubrics.models import QualificationChange, Score
from rubrics.tests.factories import rubric_with_draft
from teams.models import Role
from teams.services import api_token_create

pytestmark = pytest.mark.django_db

LIST = reverse("api:lead-list")


def _token_client(person) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=person, name='tests')[1]}")
    return client


@pytest.fixture
def base(make_person):
    """A published rubric (Software +3, threshold 3, grades A ≥ 6, B ≥ 3); two reps' leads and an unowned one."""
    version = published_rubric()
    riley = make_person(Role.SALES_REP, username="riley")
    rowan = make_person(Role.SALES_REP, username="rowan")
    leads = {
        "big": CustomerFactory(owner=riley, name="Big", domain="big.example", country="France"),
        "small": CustomerFactory(owner=riley, name="Small"),
        "shop": CustomerFactory(owner=riley, name="Shop", industry="Retail"),
        "rowans": CustomerFactory(owner=rowan, name="Rowan's"),
        "unowned": CustomerFactory(owner=None, name="Nobody's"),
    }
    customers_score(version, *leads.values())
    return version.rubric, riley, rowan, leads


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [lead["name"] for lead in response.json()["results"]]


def test_a_rep_reads_their_leads_with_every_field(base):
    rubric, riley, _, leads = base
    Score.objects.filter(customer=leads["big"]).update(total=7, fit=7)
    lead_disposition_set(customer=leads["big"], rubric=rubric, status="contacted", reason=None, note="", user=riley)

    response = _token_client(riley).get(LIST, {"rubric": rubric.pk})

    big, small = response.json()["results"]
    assert big == {
        "id": leads["big"].pk,
        "name": "Big",
        "domain": "big.example",
        "score": 7,
        "fit": 7,
        "engagement": 0,
        "qualitative": 0,
        "grade": "A",
        "qualified": True,
        "owner": "riley",
        "stage": "customer",
        "industry": "Software",
        "country": "France",
        "region": "EMEA",
        "disposition": "contacted",
        "qualified_at": big["qualified_at"],
        "version": 1,
        "url": f"http://testserver/leads/{rubric.pk}/{leads['big'].pk}/",
    }
    qualified_at = QualificationChange.objects.get(customer=leads["big"]).changed_at
    assert datetime.datetime.fromisoformat(big["qualified_at"]) == qualified_at
    assert (small["name"], small["grade"], small["disposition"]) == ("Small", "B", None)
    assert response.json()["next"] is None


def test_a_reps_token_never_reads_another_reps_leads(base):
    rubric, riley, rowan, _ = base
    client = _token_client(riley)

    own = client.get(LIST, {"rubric": rubric.pk})
    visible = client.get(LIST, {"rubric": rubric.pk, "owner": "any", "sort": "name"})
    rowans = client.get(LIST, {"rubric": rubric.pk, "owner": rowan.pk})

    assert _names(own) == ["Big", "Small"]
    assert _names(visible) == ["Big", "Nobody's", "Small"], "unowned ones to claim, not Rowan's"
    assert rowans.status_code == 400
    assert "owner" in rowans.json()


def test_a_rep_who_sees_the_team_and_an_admin_read_every_lead(base, make_person):
    rubric, riley, rowan, _ = base
    riley.sees_team_leads = True
    riley.save()
    admin = _token_client(make_person(Role.ADMIN))

    team = _token_client(riley).get(LIST, {"rubric": rubric.pk, "owner": rowan.pk})
    everyone = admin.get(LIST, {"rubric": rubric.pk, "sort": "name"})

    assert _names(team) == ["Rowan's"]
    assert _names(everyone) == ["Big", "Nobody's", "Rowan's", "Small"]


@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR])
def test_it_refuses_people_who_do_not_work_leads(base, make_person, role):
    response = _token_client(make_person(role)).get(LIST, {"rubric": base[0].pk})

    assert response.status_code == 403
    assert response.json() == {"detail": "Only admins and sales reps may read leads."}


PUBLISHED, DRAFT_ONLY = "<a published rubric>", "<a rubric with a draft only>"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({}, "rubric", "Say whose leads: rubric=<id> of a rubric with a published version."),
        ({"rubric": "x"}, "rubric", "No rubric with a published version has this id."),
        ({"rubric": str(2**70)}, "rubric", "No rubric with a published version has this id."),
        ({"rubric": DRAFT_ONLY}, "rubric", "No rubric with a published version has this id."),
        ({"min_score": "lots"}, "min_score", "Enter a whole number."),
        ({"max_score": "99999"}, "max_score", "Ensure this value is less than or equal to 10000."),
        ({"sort": "worst"}, "sort", "Select a valid choice. worst is not one of the available choices."),
        ({"stage": "won"}, "stage", "Select a valid choice. won is not one of the available choices."),
        ({"grade": "Z"}, "grade", "Not a grade of this rubric; its grades are: A, B."),
        ({"new_since": "yesterday"}, "new_since", "Enter a valid date/time."),
        (
            {"new": "true"},
            "new",
            "The API does not know your last visit: send new_since=<ISO 8601 date and time> instead.",
        ),
        ({"q": "nul\x00"}, "q", "Null characters are not allowed."),
        ({"page_size": "0"}, "page_size", "Ensure this value is greater than or equal to 1."),
        ({"page_size": "5000"}, "page_size", "Ensure this value is less than or equal to 1000."),
        ({"cursor": "forged"}, "cursor", "This cursor is not valid: use the `next` link of a page."),
    ],
)
def test_it_answers_a_bad_parameter_with_400_and_says_why(base, query, field, message):
    rubric, riley, _, _ = base
    if field != "rubric":
        query = {"rubric": PUBLISHED, **query}
    ids = {PUBLISHED: rubric.pk, DRAFT_ONLY: rubric_with_draft().rubric_id}
    query = {key: ids.get(value, value) for key, value in query.items()}

    response = _token_client(riley).get(LIST, query)

    assert response.status_code == 400
    assert response.json() == {field: [message]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"grade": "A"}, ["Small"]),
        ({"min_score": 5, "max_score": 6}, ["Big"]),
        ({"q": "BIG"}, ["Big"]),
        ({"country": "France"}, ["Big"]),
        ({"owner": "unowned"}, ["Nobody's"]),
        ({"disposition": "disqualified"}, ["Rowan's"]),
        ({"disposition": "all", "sort": "name"}, ["Big", "Nobody's", "Rowan's", "Small"]),
        ({"new_since": "2000-01-01T00:00:00Z", "sort": "name"}, ["Big", "Nobody's", "Small"]),
    ],
)
def test_it_filters_as_the_list_does(base, make_person, query, expected):
    rubric, _, rowan, leads = base
    Score.objects.filter(customer=leads["small"]).update(total=9)
    Score.objects.filter(customer=leads["big"]).update(total=5)
    reason = DisqualificationReason.objects.get(label="Wrong size")
    lead_disposition_set(
        customer=leads["rowans"], rubric=rubric, status="disqualified", reason=reason, note="", user=rowan
    )

    response = _token_client(make_person(Role.ADMIN)).get(LIST, {"rubric": rubric.pk, **query})

    assert _names(response) == expected


def test_new_since_keeps_the_leads_that_qualified_after_it(base):
    rubric, riley, _, leads = base
    now = timezone.now()
    QualificationChange.objects.filter(customer=leads["small"]).update(changed_at=now - datetime.timedelta(days=3))
    since = (now - datetime.timedelta(days=1)).isoformat()

    response = _token_client(riley).get(LIST, {"rubric": rubric.pk, "new_since": since})

    assert _names(response) == ["Big"]


def test_new_since_understands_an_offset_postgresql_does_not(base):
    rubric, riley, _, leads = base
    QualificationChange.objects.filter(customer=leads["small"]).update(
        changed_at=datetime.datetime(2025, 12, 31, 3, 0, tzinfo=datetime.UTC)  # 2026-01-01T00:00+20:00 is 04:00 UTC
    )
    QualificationChange.objects.exclude(customer=leads["small"]).update(
        changed_at=datetime.datetime(2025, 12, 31, 5, 0, tzinfo=datetime.UTC)
    )

    response = _token_client(riley).get(LIST, {"rubric": rubric.pk, "new_since": "2026-01-01T00:00:00+20:00"})

    assert response.status_code == 200
    assert "Small" not in _names(response)
    assert _names(response)


@pytest.mark.parametrize("sort", ["best", "fit", "engagement", "name"])
def test_the_cursor_walks_every_lead_once_in_the_sort_order(make_person, sort):
    version = published_rubric()
    rep = make_person(Role.SALES_REP)
    customers = [CustomerFactory(owner=rep, name=f"Lead {n % 3}") for n in range(7)]
    customers_score(version, *customers)
    for position, customer in enumerate(customers[:3]):  # ties on every sort key but the customer id
        Score.objects.filter(customer=customer).update(total=10 - position, fit=position, engagement=position % 2)
    client = _token_client(rep)
    one_page = client.get(LIST, {"rubric": version.rubric_id, "sort": sort, "page_size": 1000}).json()["results"]

    seen, url, query = [], LIST, {"rubric": version.rubric_id, "sort": sort, "page_size": 2}
    while url and len(seen) <= 7:  # a cursor that did not move on would loop forever
        page = client.get(url, query).json()
        seen.extend(lead["id"] for lead in page["results"])
        url, query = page["next"], None

    assert len(one_page) == 7
    assert seen == [lead["id"] for lead in one_page]


def test_a_cursor_keeps_its_place_when_leads_come_and_go(make_person):
    version = published_rubric()
    rep = make_person(Role.SALES_REP)
    customers = [CustomerFactory(owner=rep) for _ in range(4)]
    customers_score(version, *customers)
    client = _token_client(rep)
    first = client.get(LIST, {"rubric": version.rubric_id, "page_size": 2}).json()

    Score.objects.filter(customer=customers[0]).delete()  # a lead on the page already read leaves
    second = client.get(first["next"]).json()

    assert [lead["id"] for lead in first["results"] + second["results"]] == [c.pk for c in customers]


def test_a_cursor_of_another_sort_order_is_refused(base):
    rubric, riley, _, _ = base
    client = _token_client(riley)
    first = client.get(LIST, {"rubric": rubric.pk, "page_size": 1}).json()
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]

    response = client.get(LIST, {"rubric": rubric.pk, "page_size": 1, "sort": "name", "cursor": cursor})

    assert response.status_code == 400
    assert response.json() == {"cursor": ["This cursor belongs to another sort order: start again without it."]}


def test_it_reads_a_page_in_the_same_queries_however_many_leads_it_holds(base, make_person):
    rubric, riley, _, _ = base
    client = _token_client(riley)

    def queries(page_size) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST, {"rubric": rubric.pk, "page_size": page_size}).status_code == 200
        return len(captured)

    more = [CustomerFactory(owner=riley) for _ in range(20)]
    customers_score(rubric.versions.get(), *more)
    queries(1)  # the token's first use is written down once

    assert queries(20) == queries(2)


def test_it_describes_the_endpoint_and_its_filters_in_the_schema(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/leads/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert set(parameters) >= {
        "rubric",
        "grade",
        "owner",
        "q",
        "industry",
        "country",
        "region",
        "stage",
        "disposition",
        "min_score",
        "max_score",
        "engagement",
        "sort",
        "new_since",
        "cursor",
        "page_size",
    }
    assert parameters["rubric"]["required"] is True
    assert parameters["new_since"]["schema"]["format"] == "date-time"
    assert set(operation["responses"]) == {"200", "400", "401", "403"}
    assert "post" not in schema["paths"]["/api/leads/"]


# Schemathesis on this endpoint with a rubric that exists, so that the filters reach the database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application()).include(path="/api/leads/")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def fuzzed(base, connection_kept_open):
    rubric, riley, _, _ = base
    return rubric.pk, api_token_create(user=riley, name="schemathesis")[1]


@schema.parametrize()
@hypothesis.settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_it_answers_any_filters_as_its_schema_says(case, fuzzed):
    rubric_id, key = fuzzed
    case.query = {**(case.query or {}), "rubric": rubric_id}

    case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)
