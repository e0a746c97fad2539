"""The scoring step against the rubric it feeds: new points for an existing criterion, a new criterion that
scores no customer twice, the evidence on each, and a close that never adds a second criterion for a rule."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from profiles.models import ItemStatus
from rubrics.models import Criterion, Rubric, RubricVersion
from teams.models import Role
from workshops.models import Proposal
from workshops.services.closing import workshop_close
from workshops.services.room import WorkshopRefused, proposal_add, proposal_decide, step_open
from workshops.tests.factories import person, running_workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    room = running_workshop()
    rubric = Rubric.objects.create(profile=room.workshop.profile, name="Lead score")
    room.published = RubricVersion.objects.create(rubric=rubric, number=1, threshold=3, status="published")
    room.industry = Criterion.objects.create(
        version=room.published,
        label="Industry match",
        field="industry",
        operator="in",
        values=["Software", "Financial Services"],
        points=3,
    )
    room.visits = Criterion.objects.create(
        version=room.published,
        position=1,
        label="Website visits",
        field="website_visits_30d",
        operator="bands",
        bands=[{"label": "high", "min": 10, "max": None, "points": 3}],
    )
    step_open(step=room.weights_step, user=room.facilitator)
    return room


def _new(room, user, *values, points=3, field="industry", operator="in", label="Industry fit"):
    return proposal_add(
        step=room.weights_step,
        user=user,
        field=field,
        operator=operator,
        values=list(values),
        points=points,
        label=label,
    )


def test_new_points_for_an_existing_criterion_keep_its_rule_and_what_it_gives_now(room):
    proposal = proposal_add(step=room.weights_step, user=room.sales, criterion_id=room.industry.pk, points=1)

    assert (proposal.criterion_field, proposal.criterion_operator) == ("industry", "in")
    assert proposal.criterion_values == ["Software", "Financial Services"]
    assert (proposal.criterion_label, proposal.current_points, proposal.points) == ("Industry match", 3, 1)
    assert proposal.changes_existing


def test_the_same_rule_typed_anew_changes_the_existing_criterion(room):
    proposal = _new(room, room.marketing, "financial services", "SOFTWARE", points=2)

    assert proposal.current_points == 3
    assert proposal.criterion_label == "Industry match"


def test_a_new_criterion_that_would_score_the_same_customers_twice_is_refused(room):
    with pytest.raises(ValidationError) as refused:
        _new(room, room.marketing, "Software")

    assert "The rubric already scores this: “Industry match”" in str(refused.value)
    assert not Proposal.objects.exists()


def test_a_new_criterion_on_a_banded_field_that_overlaps_a_band_is_refused(room):
    with pytest.raises(ValidationError):
        _new(room, room.marketing, 20, field="website_visits_30d", operator="gte", label="Busy visitors")


def test_a_new_criterion_that_overlaps_nothing_is_new_and_keeps_its_evidence(room):
    CustomerFactory(industry="Retail", deal_outcome="won")

    proposal = _new(room, room.marketing, "Retail", points=-2, label="Retail")

    assert proposal.current_points is None
    assert proposal.evidence["matched"] == 1
    assert proposal.evidence["sentence"].startswith("Too few decided deals to tell")


def test_a_banded_criterion_gets_no_single_new_points(room):
    with pytest.raises(ValidationError, match="band by band"):
        proposal_add(step=room.weights_step, user=room.sales, criterion_id=room.visits.pk, points=1)


def test_a_criterion_of_another_rubric_cannot_be_re_pointed(room):
    other = Criterion.objects.create(version=room.published, field="country", operator="in", values=["DE"], points=1)
    other.version = RubricVersion.objects.create(rubric=room.published.rubric, number=2, threshold=1)
    other.save()

    with pytest.raises(ValidationError, match="not in the rubric as it scores today"):
        proposal_add(step=room.weights_step, user=room.sales, criterion_id=other.pk, points=1)


def test_closing_changes_the_criterion_rather_than_adding_one(room):
    proposal = proposal_add(step=room.weights_step, user=room.sales, criterion_id=room.industry.pk, points=1)
    proposal_decide(proposal=proposal, user=room.facilitator, status=ItemStatus.AGREED)

    workshop_close(workshop=room.workshop, user=room.facilitator)

    draft = room.published.rubric.versions.get(status="draft")
    assert list(draft.criteria.values_list("label", "values", "points")) == [
        ("Industry match", ["Software", "Financial Services"], 1),
        ("Website visits", [], 0),
    ]


def test_agreeing_a_weight_takes_back_an_agreed_one_it_overlaps(room):
    first = _new(room, room.marketing, "Retail", points=-1, label="Retail")
    second = _new(room, room.sales, "retail", "Logistics", points=-2, label="Retail and logistics")
    proposal_decide(proposal=first, user=room.facilitator, status=ItemStatus.AGREED)

    proposal_decide(proposal=second, user=room.facilitator, status=ItemStatus.AGREED)

    first.refresh_from_db()
    assert first.status == ItemStatus.PROPOSED


def test_closing_refuses_an_agreed_weight_that_overlaps_a_criterion_the_draft_got_meanwhile(room):
    from rubrics.services.drafts import criterion_add, draft_create

    agreed = _new(room, room.marketing, "Retail", points=-1, label="Retail")
    proposal_decide(proposal=agreed, user=room.facilitator, status=ItemStatus.AGREED)
    draft = draft_create(rubric=room.published.rubric, user=None)
    criterion_add(
        version=draft,
        field="industry",
        operator="in",
        values=["Retail", "Logistics"],
        bands=[],
        points=-3,
        group="fit",
        label="Shops",
        revision=draft.revision,
        user=None,
    )

    with pytest.raises(WorkshopRefused, match="a second time"):
        workshop_close(workshop=room.workshop, user=room.facilitator)

    room.workshop.refresh_from_db()
    assert not room.workshop.is_closed
    assert draft.criteria.count() == 3


def test_the_step_page_shows_the_published_rubric_with_its_points(client, room):
    client.force_login(room.sales)

    page = client.get(reverse("workshops:step", args=[room.weights_step.pk])).content.decode()

    assert "The rubric today" in page
    assert "Industry match" in page
    assert 'data-testid="points-now">+3<' in page


def test_the_evidence_of_a_typed_rule_says_when_it_clashes(client, room):
    client.force_login(room.marketing)

    answer = client.get(
        reverse("workshops:evidence", args=[room.weights_step.pk]),
        {"field": "industry", "operator": "in", "values": "Software", "points": "2"},
    )

    assert answer.status_code == 200
    assert "The rubric already scores this: “Industry match”" in answer.content.decode()


def test_the_evidence_of_a_rubric_criterion(client, room):
    CustomerFactory(industry="Software", deal_outcome="won")
    CustomerFactory(industry="Retail", deal_outcome="lost")
    client.force_login(room.marketing)

    answer = client.get(reverse("workshops:evidence", args=[room.weights_step.pk]), {"criterion": room.industry.pk})

    assert "Matches 1 of 2 customers" in " ".join(answer.content.decode().split())


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SALES_REP, Role.FACILITATOR])
def test_people_not_invited_see_no_evidence_and_propose_no_points(client, room, role):
    client.force_login(person(role))

    assert client.get(reverse("workshops:evidence", args=[room.weights_step.pk])).status_code == 403
    url = reverse("workshops:propose_points", args=[room.weights_step.pk, room.industry.pk])
    assert client.post(url, {"points": "1"}).status_code == 403
    assert not Proposal.objects.exists()


def test_new_points_from_the_rubric_panel(client, room):
    client.force_login(room.success)
    url = reverse("workshops:propose_points", args=[room.weights_step.pk, room.industry.pk])

    answer = client.post(url, {"points": "-1"}, HTTP_HX_REQUEST="true")

    assert answer.status_code == 200
    assert answer["HX-Trigger"] == "workshop-changed"
    assert "Proposed: “Industry match” +3 → -1." in answer.content.decode()
    assert Proposal.objects.get().points == -1


def test_new_points_out_of_range_are_refused_with_a_400(client, room):
    client.force_login(room.success)
    url = reverse("workshops:propose_points", args=[room.weights_step.pk, room.industry.pk])

    answer = client.post(url, {"points": "9"}, HTTP_HX_REQUEST="true")

    assert answer.status_code == 400
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SALES_REP])
def test_people_not_invited_see_no_suggested_weights(client, room, role):
    client.force_login(person(role))

    assert client.get(reverse("workshops:suggested_weights", args=[room.weights_step.pk])).status_code == 403


def test_the_teams_points_and_new_rules_are_rows_of_the_suggestion(client, room):
    for industry, won, lost in (("Software", 120, 60), ("Retail", 30, 90), ("Logistics", 40, 40)):
        for outcome, count in (("won", won), ("lost", lost)):
            for _ in range(count):
                CustomerFactory(industry=industry, deal_outcome=outcome)
    proposal_add(step=room.weights_step, user=room.sales, criterion_id=room.industry.pk, points=1)
    _new(room, room.marketing, "Retail", points=-2, label="Retail")
    client.force_login(room.success)

    answer = client.get(reverse("workshops:suggested_weights", args=[room.weights_step.pk]))

    page = " ".join(answer.content.decode().split())
    assert "Learned from 190 won and 190 lost deals" in page
    assert 'data-label="Industry match"' in page
    assert 'data-label="Retail"' in page
    assert 'data-testid="teams-propose"> Sales +1 </td>' in page
    assert 'data-testid="teams-propose"> Marketing -2 </td>' in page
