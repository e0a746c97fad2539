"""The rep's workspace around the list: scope, filters, the matrix, new-since markers, owners, bulk, views."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, CustomerChange
from customers.tests.factories import CustomerFactory
from leads.models import (
    DisqualificationReason,
    LeadDisposition,
    LeadDispositionChange,
    LeadListVisit,
    SavedLeadView,
)
from leads.selectors import ANY, UNOWNED, LeadFilters, RubricScale, lead_list, lead_matrix, rubric_scale
from leads.services.dispositions import LEAD_VISIT_GAP, lead_owner_set, lead_visit_record
from profiles.models import Profile
from rubrics import scoring
from rubrics.models import Criterion, LeadAudience, QualificationChange, Rubric, RubricVersion
from rubrics.selectors import version_spec
from rubrics.services.scores import scores_write
from teams.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(make_person):
    """A published rubric with grades A (≥ 6) and B (≥ 3), threshold 3: Software +3 (fit), 10+ visits +3
    (engagement), 50+ employees +1 (fit). Two reps, an unowned lead, and a customer who does not qualify."""
    rubric = Rubric.objects.create(
        profile=Profile.objects.create(name="Graded"), name="Fit", audience=LeadAudience.EXPANSION
    )
    version = RubricVersion.objects.create(
        rubric=rubric,
        number=1,
        threshold=3,
        status="published",
        grades=[{"label": "A", "min": 6}, {"label": "B", "min": 3}],
    )
    Criterion.objects.create(version=version, field="industry", operator="in", values=["Software"], points=3)
    Criterion.objects.create(
        version=version, field="website_visits_30d", operator="gte", values=[10], points=3, group="engagement"
    )
    Criterion.objects.create(version=version, field="employees", operator="gte", values=[50], points=1, position=2)
    riley = make_person(Role.SALES_REP, username="riley")
    rowan = make_person(Role.SALES_REP, username="rowan")
    customers = {
        "a_engaged": CustomerFactory(
            owner=riley, name="Alpha", industry="Software", website_visits_30d=40, employees=10
        ),
        "b_quiet": CustomerFactory(owner=riley, name="Bravo", industry="Software", website_visits_30d=0, employees=500),
        "b_engaged": CustomerFactory(
            owner=riley, name="Charlie", industry="Retail", website_visits_30d=12, employees=5
        ),
        "rowans": CustomerFactory(owner=rowan, name="Delta", industry="Software", website_visits_30d=50, employees=5),
        "unowned": CustomerFactory(owner=None, name="Echo", industry="Software", website_visits_30d=1, employees=5),
        "out": CustomerFactory(owner=riley, name="Foxtrot", industry="Retail", website_visits_30d=0, employees=5),
    }
    _score(version)
    return rubric, version, riley, rowan, customers


def _score(version):
    spec = version_spec(version)
    scores_write(version=version, spec=spec, low_id=0, high_id=10**9)


def _names(leads):
    return [lead.customer.name for lead in leads]


def test_a_rep_sees_their_own_leads_by_default_and_can_look_at_unowned_ones(graded):
    rubric, _, riley, _, _ = graded

    assert _names(lead_list(user=riley, rubric=rubric, filters=LeadFilters())) == ["Alpha", "Bravo", "Charlie"]
    assert _names(lead_list(user=riley, rubric=rubric, filters=LeadFilters(owner=UNOWNED))) == ["Echo"]
    assert sorted(_names(lead_list(user=riley, rubric=rubric, filters=LeadFilters(owner=ANY)))) == [
        "Alpha",
        "Bravo",
        "Charlie",
        "Echo",
    ]


def test_a_rep_never_sees_another_reps_leads_unless_an_admin_allowed_team_wide_view(graded):
    rubric, _, riley, rowan, _ = graded

    asked_for_rowans = LeadFilters(owner=str(rowan.pk))
    assert _names(lead_list(user=riley, rubric=rubric, filters=asked_for_rowans)) == []
    riley.sees_team_leads = True
    assert _names(lead_list(user=riley, rubric=rubric, filters=asked_for_rowans)) == ["Delta"]
    assert "Delta" in _names(lead_list(user=riley, rubric=rubric, filters=LeadFilters(owner=ANY)))


def test_an_admin_lets_a_rep_see_the_team_on_the_people_page(graded, client, make_person):
    _, _, riley, _, _ = graded
    client.force_login(make_person(Role.ADMIN))
    data = {
        "first_name": "Riley",
        "last_name": "R",
        "email": "riley@example.com",
        "team": riley.team_id,
        "role": Role.SALES_REP,
        "sees_team_leads": "on",
        "is_active": "on",
    }

    response = client.post(reverse("teams:person_edit", args=[riley.pk]), data)

    assert response.status_code == 302
    riley.refresh_from_db()
    assert riley.sees_team_leads


def test_the_team_wide_view_shows_on_the_page_but_gives_no_right_to_change(graded, client):
    rubric, _, riley, rowan, customers = graded
    riley.sees_team_leads = True
    riley.save()
    client.force_login(riley)

    page = client.get(reverse("leads:list"), {"rubric": rubric.pk, "owner": ANY})
    assert "Delta" in page.content.decode()
    detail = client.get(reverse("leads:detail", args=[rubric.pk, customers["rowans"].pk]))
    assert detail.status_code == 200
    assert "Only its owner or an admin can change this lead." in detail.content.decode()
    change = client.post(reverse("leads:disposition", args=[rubric.pk, customers["rowans"].pk]), {"status": "accepted"})
    assert change.status_code == 403
    assert not LeadDisposition.objects.exists()


def test_grades_and_engagement_levels_filter_the_list(graded, make_person):
    rubric, _, _, _, _ = graded
    admin = make_person(Role.ADMIN)

    def names(**filters):
        return sorted(_names(lead_list(user=admin, rubric=rubric, filters=LeadFilters(**filters))))

    assert names(grade="A") == ["Alpha", "Delta"]
    assert names(grade="B") == ["Bravo", "Charlie", "Echo"]
    assert names(engagement="high") == ["Alpha", "Charlie", "Delta"]
    assert names(engagement="low") == ["Bravo", "Echo"]
    assert names(grade="B", engagement="high") == ["Charlie"]
    assert names(grade="Z") == []


def test_every_matrix_cell_counts_exactly_the_leads_its_link_lists(graded, make_person):
    rubric, _, riley, _, _ = graded
    scale = rubric_scale(rubric)
    for person in (make_person(Role.ADMIN), riley):
        matrix = lead_matrix(user=person, rubric=rubric, filters=LeadFilters(), scale=scale)
        listed = 0
        for grade, cells in matrix.rows:
            for level, count in cells:
                filters = LeadFilters(grade=grade, engagement=level)
                assert lead_list(user=person, rubric=rubric, filters=filters).count() == count
                listed += count
        assert listed == matrix.total == lead_list(user=person, rubric=rubric, filters=LeadFilters()).count()
    admin_matrix = lead_matrix(user=make_person(Role.ADMIN), rubric=rubric, filters=LeadFilters(), scale=scale)
    assert admin_matrix.counts == {("A", "high"): 2, ("B", "low"): 2, ("B", "high"): 1}


def test_the_matrix_page_links_each_cell_to_the_filtered_list(graded, client):
    rubric, _, riley, _, _ = graded
    client.force_login(riley)

    response = client.get(reverse("leads:matrix"), {"rubric": rubric.pk, "grade": "A", "q": "a"})

    html = response.content.decode()
    assert response.status_code == 200
    assert f"?rubric={rubric.pk}&amp;q=a&amp;grade=B&amp;engagement=high" in html
    assert "grade=A&amp;grade" not in html


def test_the_matrix_is_a_whole_page_without_javascript_and_a_fragment_for_htmx(graded, client):
    rubric, _, riley, _, _ = graded
    client.force_login(riley)

    page = client.get(reverse("leads:matrix"), {"rubric": rubric.pk}).content.decode()
    fragment = client.get(reverse("leads:matrix"), {"rubric": rubric.pk}, headers={"HX-Request": "true"})

    assert "<title>Leads by fit and engagement" in page
    assert "<h1" in page
    assert 'data-testid="matrix-cell"' in page
    assert "<title>" not in fragment.content.decode()
    assert 'data-testid="matrix-cell"' in fragment.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("best", ["Alpha", "Bravo", "Charlie"]),
        ("fit", ["Bravo", "Alpha", "Charlie"]),
        ("engagement", ["Alpha", "Charlie", "Bravo"]),
        ("name", ["Alpha", "Bravo", "Charlie"]),
    ],
)
def test_sort_orders(graded, sort, expected):
    rubric, _, riley, _, _ = graded

    assert _names(lead_list(user=riley, rubric=rubric, filters=LeadFilters(sort=sort))) == expected


def test_new_since_the_last_visit_comes_from_the_score_history(graded, client):
    rubric, version, riley, _, customers = graded
    morning = timezone.now() - datetime.timedelta(days=1)
    QualificationChange.objects.update(changed_at=morning - datetime.timedelta(days=1))
    first = lead_visit_record(user=riley, rubric=rubric, now=morning)
    assert first.new_since is None
    # Overnight, Foxtrot grows and qualifies.
    customers["out"].website_visits_30d = 99
    customers["out"].save()
    _score(version)
    assert QualificationChange.objects.filter(customer=customers["out"], qualified=True).exists()

    client.force_login(riley)
    response = client.get(reverse("leads:list"), {"rubric": rubric.pk})

    visit = LeadListVisit.objects.get(user=riley, rubric=rubric)
    assert visit.new_since == morning
    rows = response.content.decode().split('data-testid="lead-row"')[1:]
    marked = [row for row in rows if 'data-testid="new-marker"' in row]
    assert len(marked) == 1
    assert "Foxtrot" in marked[0]
    only_new = client.get(reverse("leads:list"), {"rubric": rubric.pk, "new": "on"})
    assert only_new.content.decode().count('data-testid="lead-row"') == 1


def test_markers_stay_put_while_the_rep_works_and_move_on_after_a_pause(graded):
    rubric, _, riley, _, _ = graded
    start = timezone.now()
    lead_visit_record(user=riley, rubric=rubric, now=start)
    later = lead_visit_record(user=riley, rubric=rubric, now=start + datetime.timedelta(minutes=30))
    assert later.new_since is None
    next_day = lead_visit_record(user=riley, rubric=rubric, now=start + LEAD_VISIT_GAP * 24)
    assert next_day.new_since == start + datetime.timedelta(minutes=30)


def test_a_rep_claims_an_unowned_lead_once_and_it_is_audited(graded, client):
    rubric, _, riley, _, customers = graded
    client.force_login(riley)
    url = reverse("leads:owner", args=[rubric.pk, customers["unowned"].pk])

    first = client.post(url)
    again = client.post(url)

    assert first.status_code == again.status_code == 302
    customers["unowned"].refresh_from_db()
    assert customers["unowned"].owner == riley
    changes = CustomerChange.objects.filter(customer=customers["unowned"], changes__has_key="owner")
    assert changes.count() == 1


def test_a_rep_cannot_claim_or_take_another_reps_lead(graded, client):
    rubric, _, riley, rowan, customers = graded
    riley.sees_team_leads = True
    riley.save()
    client.force_login(riley)

    response = client.post(reverse("leads:owner", args=[rubric.pk, customers["rowans"].pk]), {"owner": riley.pk})

    assert response.status_code == 403
    customers["rowans"].refresh_from_db()
    assert customers["rowans"].owner == rowan
    with pytest.raises(PermissionDenied):
        lead_owner_set(customer=customers["a_engaged"], owner=None, user=riley)


def test_an_admin_reassigns_a_lead_and_a_bad_owner_gets_a_400(graded, client, make_person):
    rubric, _, riley, rowan, customers = graded
    client.force_login(make_person(Role.ADMIN))
    url = reverse("leads:owner", args=[rubric.pk, customers["a_engaged"].pk])

    assert client.post(url, {"owner": rowan.pk}).status_code == 302
    customers["a_engaged"].refresh_from_db()
    assert customers["a_engaged"].owner == rowan
    member = make_person(Role.MEMBER)
    refused = client.post(url, {"owner": member.pk})
    assert refused.status_code == 400
    customers["a_engaged"].refresh_from_db()
    assert customers["a_engaged"].owner == rowan


def _bulk(client, rubric, ids, **data):
    return client.post(reverse("leads:bulk"), {"rubric": rubric.pk, "lead": [str(i) for i in ids], "query": "", **data})


def test_bulk_accept_covers_every_selected_lead_and_a_double_submit_records_once(graded, client):
    rubric, _, riley, _, customers = graded
    client.force_login(riley)
    ids = [customers["a_engaged"].pk, customers["b_quiet"].pk]

    assert _bulk(client, rubric, ids, action="accepted").status_code == 302
    assert _bulk(client, rubric, ids, action="accepted").status_code == 302

    assert set(LeadDisposition.objects.values_list("customer_id", "status")) == {(i, "accepted") for i in ids}
    assert LeadDispositionChange.objects.count() == 2


def test_bulk_is_all_or_nothing(graded, client):
    rubric, _, riley, _, customers = graded
    client.force_login(riley)
    own = customers["a_engaged"].pk

    with_another_reps = _bulk(client, rubric, [own, customers["rowans"].pk], action="accepted")
    with_unowned = _bulk(client, rubric, [own, customers["unowned"].pk], action="contacted")
    without_reason = _bulk(client, rubric, [own], action="disqualified")
    nothing_selected = _bulk(client, rubric, [], action="accepted")
    not_numbers = _bulk(client, rubric, ["x"], action="accepted")

    assert with_another_reps.status_code == 404
    assert with_unowned.status_code == 403
    assert without_reason.status_code == 400
    assert "Say why the lead is disqualified." in without_reason.content.decode()
    assert nothing_selected.status_code == 400
    assert not_numbers.status_code == 400
    assert not LeadDisposition.objects.exists()
    assert not LeadDispositionChange.objects.exists()


def test_bulk_disqualify_with_a_reason_and_claim(graded, client):
    rubric, _, riley, _, customers = graded
    client.force_login(riley)
    reason = DisqualificationReason.objects.get(label="No budget")

    _bulk(client, rubric, [customers["a_engaged"].pk, customers["b_quiet"].pk], action="disqualified", reason=reason.pk)
    claimed = _bulk(client, rubric, [customers["unowned"].pk], action="claim")

    assert LeadDisposition.objects.filter(status="disqualified", reason=reason).count() == 2
    assert claimed.status_code == 302
    customers["unowned"].refresh_from_db()
    assert customers["unowned"].owner == riley
    assert _names(lead_list(user=riley, rubric=rubric, filters=LeadFilters())) == ["Charlie", "Echo"]


def test_a_rep_cannot_assign_in_bulk_but_an_admin_can(graded, client, make_person):
    rubric, _, riley, rowan, customers = graded
    client.force_login(riley)
    assert _bulk(client, rubric, [customers["a_engaged"].pk], action="assign", owner=rowan.pk).status_code == 400
    client.force_login(make_person(Role.ADMIN))

    response = _bulk(
        client, rubric, [customers["a_engaged"].pk, customers["unowned"].pk], action="assign", owner=rowan.pk
    )

    assert response.status_code == 302
    owners = Customer.objects.filter(pk__in=[customers["a_engaged"].pk, customers["unowned"].pk])
    assert set(owners.values_list("owner_id", flat=True)) == {rowan.pk}


def test_saved_views_keep_only_the_filters_and_belong_to_their_person(graded, client, make_person):
    rubric, _, riley, rowan, _ = graded
    client.force_login(riley)

    saved = client.post(
        reverse("leads:view_save"), {"name": "Hot A", "query": f"rubric={rubric.pk}&grade=A&page=3&evil=1"}
    )
    view = SavedLeadView.objects.get(user=riley)
    assert saved.status_code == 302
    assert view.query == f"rubric={rubric.pk}&grade=A"
    page = client.get(reverse("leads:list"), {"rubric": rubric.pk})
    assert f'href="/leads/?rubric={rubric.pk}&amp;grade=A">Hot A<' in page.content.decode()
    assert client.post(reverse("leads:view_save"), {"name": " ", "query": ""}).status_code == 400

    client.force_login(rowan)
    assert client.post(reverse("leads:view_delete", args=[view.pk])).status_code == 404
    client.force_login(riley)
    assert client.post(reverse("leads:view_delete", args=[view.pk])).status_code == 302
    assert not SavedLeadView.objects.exists()


def test_the_lead_page_shows_each_value_that_matched_what_did_not_and_the_history(graded, client):
    rubric, _, riley, _, customers = graded
    client.force_login(riley)

    response = client.get(reverse("leads:detail", args=[rubric.pk, customers["b_quiet"].pk]))

    html = response.content.decode()
    matched = html.split('data-testid="matched-criterion"')[1:]
    unmatched = html.split('data-testid="unmatched-criterion"')[1:]
    assert len(matched) == 2
    assert "Software" in matched[0]
    assert "500" in matched[1]
    assert len(unmatched) == 1
    assert "website_visits_30d" in unmatched[0]
    assert "+3" in unmatched[0]
    assert "Qualification history" in html
    assert "qualified" in html
    assert 'data-testid="lead-total">4<' in html


def test_the_history_starts_with_the_score_now_even_when_a_new_version_did_not_change_qualification(graded, client):
    """After a publish the total moves but the lead stays qualified: no new qualification change is recorded,
    and the history must not read as if the old version's points were today's."""
    from rubrics.models import Score

    rubric, _, riley, _, customers = graded
    lead = customers["b_quiet"]
    Score.objects.filter(rubric=rubric, customer=lead).update(total=23)
    client.force_login(riley)

    html = client.get(reverse("leads:detail", args=[rubric.pk, lead.pk])).content.decode()

    now = html.split('data-testid="score-now"')[1].split("</li>")[0]
    assert "qualified with 23 points" in " ".join(now.split())
    assert "not qualified" not in now


@pytest.mark.parametrize(
    ("grades", "threshold", "labels"),
    [
        ([("A", 6), ("B", 3), ("C", 1)], 3, ["A", "B"]),  # C ends below the threshold: no lead has it
        ([("A", 14), ("B", 8)], 12, ["A", "B"]),  # 12 and 13 qualify as B
        ([("A", 14)], 12, ["A", "-"]),  # 12 and 13 qualify without a grade
        ([], 3, ["-"]),
    ],
)
def test_the_matrix_rows_are_the_grades_a_qualified_lead_can_have(grades, threshold, labels):
    spec = scoring.Rubric(
        criteria=(), threshold=threshold, grades=tuple(scoring.Grade(label=label, min=low) for label, low in grades)
    )

    assert RubricScale.of(spec).grade_labels() == labels


def _page_names(client, **params):
    response = client.get(reverse("leads:list"), params)
    assert response.status_code == 200
    return [lead["customer__name"] for lead in response.context["page"].customers]


def test_a_reassigned_lead_moves_to_its_new_owners_list_at_once(graded, client, make_person):
    rubric, _, riley, rowan, customers = graded
    admin = make_person(Role.ADMIN)

    lead_owner_set(customer=customers["b_quiet"], owner=rowan, user=admin)  # no re-score has run yet

    client.force_login(rowan)
    assert _page_names(client) == ["Delta", "Bravo"]
    client.force_login(riley)
    assert _page_names(client) == ["Alpha", "Charlie"]


def test_a_lead_whose_copy_is_stale_is_still_shown_only_to_who_may_see_it(graded, client):
    """The list finds its candidates by the scores' copies of the owner; if a copy lags behind the
    customer (its re-score not run yet), the lead drops out rather than show to its former owner."""
    rubric, _, riley, rowan, customers = graded
    Customer.objects.filter(pk=customers["a_engaged"].pk).update(owner=rowan)  # behind the services' back

    client.force_login(riley)
    assert _page_names(client) == ["Bravo", "Charlie"]
    assert _page_names(client, owner=ANY) == ["Bravo", "Charlie", "Echo"]
    _score(rubric.versions.get())
    client.force_login(rowan)
    assert _page_names(client) == ["Alpha", "Delta"]
