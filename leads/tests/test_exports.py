import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from leads.exports import HEADER
from leads.models import DisqualificationReason, LeadListVisit
from leads.services.dispositions import lead_disposition_set
from leads.tests.factories import customers_score, published_rubric
from rubrics.models import QualificationChange, Score
from teams.models import Role

pytestmark = pytest.mark.django_db

FORMATS = ["export_csv", "export_xlsx"]


@pytest.fixture
def base(make_person):
    """A published rubric (Software +3, threshold 3, grades A ≥ 6, B ≥ 3); two reps' leads and an unowned one."""
    version = published_rubric()
    riley = make_person(Role.SALES_REP, username="riley")
    rowan = make_person(Role.SALES_REP, username="rowan")
    leads = {
        "big": CustomerFactory(owner=riley, name="Big", domain="big.example", country="France", region="EMEA"),
        "small": CustomerFactory(owner=riley, name="Small"),
        "shop": CustomerFactory(owner=riley, name="Shop", industry="Retail"),
        "rowans": CustomerFactory(owner=rowan, name="Rowan's"),
        "unowned": CustomerFactory(owner=None, name="Nobody's"),
    }
    customers_score(version, *leads.values())
    return version.rubric, riley, rowan, leads


def _rows(response) -> list[dict]:
    """The exported rows by column name, from either format."""
    assert response.status_code == 200
    assert response.streaming
    content = b"".join(response.streaming_content)
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    header, *rows = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)
    assert header == HEADER
    return [dict(zip(header, row, strict=True)) for row in rows]


def _accounts(response) -> list[str]:
    return [row["account"] for row in _rows(response)]


def test_it_exports_every_column_of_a_lead(base, client):
    rubric, riley, _, leads = base
    Score.objects.filter(customer=leads["big"]).update(total=7, fit=7)
    lead_disposition_set(customer=leads["big"], rubric=rubric, status="accepted", reason=None, note="", user=riley)
    qualified_at = QualificationChange.objects.get(customer=leads["big"]).changed_at
    client.force_login(riley)

    response = client.get(reverse("leads:export_csv"), {"rubric": rubric.pk, "q": "Big"})

    assert response["Content-Disposition"].startswith('attachment; filename="leads-profile-')
    assert response["Cache-Control"] == "no-store"
    assert _rows(response) == [
        {
            "account": "Big",
            "domain": "big.example",
            "score": "7",
            "grade": "A",
            "fit": "7",
            "engagement": "0",
            "qualitative": "0",
            "industry": "Software",
            "country": "France",
            "region": "EMEA",
            "stage": "customer",
            "owner": "riley",
            "disposition": "accepted",
            "qualified_at": qualified_at.isoformat(),
            "version": "1",
        }
    ]


@pytest.mark.parametrize("export", FORMATS)
def test_a_rep_exports_their_own_leads_and_never_another_reps(base, client, export):
    rubric, riley, _, _ = base
    client.force_login(riley)

    own = client.get(reverse(f"leads:{export}"), {"rubric": rubric.pk})
    visible = client.get(reverse(f"leads:{export}"), {"rubric": rubric.pk, "owner": "any"})

    assert sorted(_accounts(own)) == ["Big", "Small"]
    assert sorted(_accounts(visible)) == ["Big", "Nobody's", "Small"], "unowned ones to claim, not Rowan's"


def test_a_rep_cannot_ask_for_another_reps_leads_by_owner(base, client):
    rubric, riley, rowan, _ = base
    client.force_login(riley)

    response = client.get(reverse("leads:export_csv"), {"rubric": rubric.pk, "owner": rowan.pk})

    assert "Rowan's" not in _accounts(response)


@pytest.mark.parametrize("export", FORMATS)
def test_a_rep_who_sees_the_team_and_an_admin_export_every_lead(base, client, make_person, export):
    rubric, riley, rowan, _ = base
    riley.sees_team_leads = True
    riley.save()
    client.force_login(riley)
    team = client.get(reverse(f"leads:{export}"), {"rubric": rubric.pk, "owner": "any"})
    client.force_login(make_person(Role.ADMIN))
    everyone = client.get(reverse(f"leads:{export}"), {"rubric": rubric.pk})
    only_rowan = client.get(reverse(f"leads:{export}"), {"rubric": rubric.pk, "owner": rowan.pk})

    assert sorted(_accounts(team)) == ["Big", "Nobody's", "Rowan's", "Small"]
    assert sorted(_accounts(everyone)) == ["Big", "Nobody's", "Rowan's", "Small"]
    assert _accounts(only_rowan) == ["Rowan's"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Small", "Big", "Nobody's"]),
        ({"sort": "name"}, ["Big", "Nobody's", "Small"]),
        ({"grade": "A"}, ["Small"]),
        ({"min_score": 5}, ["Small", "Big"]),
        ({"q": "big"}, ["Big"]),
        ({"country": "France"}, ["Big"]),
        ({"owner": "unowned"}, ["Nobody's"]),
        ({"disposition": "disqualified"}, ["Rowan's"]),
        ({"disposition": "all", "sort": "name"}, ["Big", "Nobody's", "Rowan's", "Small"]),
    ],
)
def test_it_exports_the_list_as_filtered_and_sorted_every_page(base, client, make_person, query, expected):
    rubric, _, rowan, leads = base
    Score.objects.filter(customer=leads["small"]).update(total=9)
    Score.objects.filter(customer=leads["big"]).update(total=5)
    reason = DisqualificationReason.objects.get(label="Wrong size")
    lead_disposition_set(
        customer=leads["rowans"], rubric=rubric, status="disqualified", reason=reason, note="", user=rowan
    )
    Score.objects.filter(customer=leads["rowans"]).update(total=4)
    client.force_login(make_person(Role.ADMIN))

    response = client.get(reverse("leads:export_csv"), {"rubric": rubric.pk, "page": 2, **query})

    assert _accounts(response) == expected


def test_new_counts_from_the_last_visit_which_the_export_reads_but_does_not_record(base, client):
    rubric, riley, _, leads = base
    now = timezone.now()
    QualificationChange.objects.filter(customer=leads["small"]).update(changed_at=now - datetime.timedelta(days=3))
    visit = LeadListVisit.objects.create(
        user=riley, rubric=rubric, seen_at=now - datetime.timedelta(days=1), new_since=now - datetime.timedelta(days=2)
    )
    client.force_login(riley)

    response = client.get(reverse("leads:export_csv"), {"rubric": rubric.pk, "new": "on"})

    assert _accounts(response) == ["Big"]
    visit.refresh_from_db()
    assert visit.seen_at == now - datetime.timedelta(days=1)


def test_the_excel_export_opens_with_formulas_neutralised_and_numbers_typed(base, client):
    rubric, riley, _, leads = base
    leads["big"].name = '=HYPERLINK("http://evil.example","Big")'
    leads["big"].save()
    client.force_login(riley)

    response = client.get(reverse("leads:export_xlsx"), {"rubric": rubric.pk, "sort": "name"})

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    first = _rows(response)[0]
    assert first["account"] == '\'=HYPERLINK("http://evil.example","Big")'
    assert (first["score"], first["grade"], first["version"]) == (3, "B", 1)
    assert isinstance(first["qualified_at"], datetime.datetime)


def test_it_exports_only_a_header_when_no_rubric_is_published(client_as):
    client = client_as(Role.ADMIN)

    response = client.get(reverse("leads:export_csv"))

    assert b"".join(response.streaming_content).decode("utf-8-sig").strip() == ",".join(HEADER)


@pytest.mark.parametrize("export", FORMATS)
@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR])
def test_it_refuses_people_who_do_not_work_leads(base, client_as, export, role):
    response = client_as(role).get(reverse(f"leads:{export}"), {"rubric": base[0].pk})

    assert response.status_code == 403


def test_it_reads_the_leads_in_the_same_queries_however_many_there_are(base, client):
    rubric, riley, _, _ = base
    client.force_login(riley)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _rows(client.get(reverse("leads:export_csv"), {"rubric": rubric.pk}))
        return len(captured)

    queries()  # the rubric's scale is read once, then kept
    few = queries()
    more = [CustomerFactory(owner=riley) for _ in range(30)]
    customers_score(rubric.versions.get(), *more)

    assert queries() == few
