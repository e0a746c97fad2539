"""Sending a suggested criterion to a rubric draft (admins) or a workshop (facilitators, admins): once, checked."""

import pytest
from django.urls import reverse

from analytics.suggestions import Suggestion
from rubrics.models import Criterion, VersionStatus
from teams.models import Role
from workshops.models import Proposal, StepKind
from workshops.services.room import step_open, workshop_create

pytestmark = pytest.mark.django_db


def _suggestion(client, rubric, field="employees", positive=True) -> tuple[Suggestion, str]:
    """A suggestion as the traits page offers it: (the suggestion, its signed form value).

    The published version already scores the planted traits by fixed edges (industry, employees 200-1,999), so
    the new rules are the employees band found from the data (its edges are quantiles of the base, near 200
    and 2,000) and what the won deals lack (the other industries)."""
    page = client.get(reverse("analytics:traits", args=[rubric.pk]), {"best": "won"})
    return next(
        (s, signed) for s, signed in page.context["suggestions"] if s.field == field and (s.points > 0) is positive
    )


def _draft_criteria(rubric):
    draft = rubric.versions.get(status=VersionStatus.DRAFT)
    return list(Criterion.objects.filter(version=draft))


def test_an_admin_adds_a_suggestion_to_a_new_draft_once_however_often_they_click(client_as, icp):
    client = client_as(Role.ADMIN)
    suggestion, signed = _suggestion(client, icp.rubric)
    url = reverse("analytics:suggestion_to_rubric", args=[icp.rubric.pk])
    back = reverse("analytics:traits", args=[icp.rubric.pk]) + "?best=won"

    first = client.post(url, {"suggestion": signed, "points": 2, "next": back})
    second = client.post(url, {"suggestion": signed, "points": 2, "next": back})

    assert first.status_code == second.status_code == 302
    assert first.url == back
    criteria = _draft_criteria(icp.rubric)
    band = ("employees", "between", list(suggestion.values))
    added = [c for c in criteria if (c.field, c.operator, c.values) == band]
    assert len(added) == 1
    assert (added[0].points, added[0].label, added[0].group) == (2, suggestion.label, "fit")
    # The draft was made from the published version: its criteria came along, then the new one.
    assert len(criteria) == icp.published.criteria.count() + 1
    assert "already has" in " ".join(str(m) for m in second.wsgi_request._messages)


def test_a_rule_the_draft_already_has_is_not_added_again(client_as, icp):
    client = client_as(Role.ADMIN)
    _, signed = _suggestion(client, icp.rubric, field="industry", positive=True)  # v2 scores Software, Healthcare

    response = client.post(
        reverse("analytics:suggestion_to_rubric", args=[icp.rubric.pk]), {"suggestion": signed, "points": 1}
    )

    assert response.status_code == 302
    assert len(_draft_criteria(icp.rubric)) == icp.published.criteria.count()


def test_it_adds_to_the_existing_draft(client_as, icp):
    from rubrics.services.drafts import draft_create

    draft = draft_create(rubric=icp.rubric, user=None)
    client = client_as(Role.ADMIN)
    suggestion, signed = _suggestion(client, icp.rubric, field="employees")

    client.post(reverse("analytics:suggestion_to_rubric", args=[icp.rubric.pk]), {"suggestion": signed, "points": 2})

    assert [c.values for c in draft.criteria.filter(field="employees", operator="between")] == [
        [200, 1999],
        list(suggestion.values),
    ]


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MEMBER, Role.SALES_REP])
def test_only_admins_send_to_a_rubric_draft(client_as, icp, role):
    signed = _suggestion(client_as(Role.ADMIN), icp.rubric)[1]
    client = client_as(role)

    response = client.post(
        reverse("analytics:suggestion_to_rubric", args=[icp.rubric.pk]), {"suggestion": signed, "points": 1}
    )

    assert response.status_code == 403
    assert not icp.rubric.versions.filter(status=VersionStatus.DRAFT).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"suggestion": "forged", "points": 1}, "This suggestion was not made by this page"),
        ({"points": 1}, "This field is required."),
        ({"suggestion": "SIGNED", "points": 7}, "Select a valid choice."),
        ({"suggestion": "SIGNED", "points": 0}, "Select a valid choice."),
    ],
)
def test_it_refuses_a_forged_or_incomplete_suggestion_with_400(client_as, icp, data, message):
    client = client_as(Role.ADMIN)
    signed = _suggestion(client, icp.rubric)[1]
    data = {key: (signed if value == "SIGNED" else value) for key, value in data.items()}

    response = client.post(reverse("analytics:suggestion_to_rubric", args=[icp.rubric.pk]), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not icp.rubric.versions.filter(status=VersionStatus.DRAFT).exists()


def test_it_refuses_a_suggestion_made_for_another_rubric(client_as, icp):
    from analytics.tests.factories import _version
    from profiles.models import Profile
    from rubrics.models import Rubric

    other = Rubric.objects.create(profile=Profile.objects.create(name="Other"), name="Fit")
    _version(other, 1, VersionStatus.PUBLISHED, 0, [], [("industry", "in", ["Retail"], 1)])
    client = client_as(Role.ADMIN)
    signed = _suggestion(client, icp.rubric)[1]

    response = client.post(
        reverse("analytics:suggestion_to_rubric", args=[other.pk]), {"suggestion": signed, "points": 1}
    )

    assert response.status_code == 400
    assert "made for another rubric" in response.content.decode()


def _workshop(icp, facilitator, *, open_scoring=True, invitees=()):
    workshop = workshop_create(
        profile=icp.rubric.profile, title="Q3 alignment", facilitator=facilitator, invitees=list(invitees)
    )
    if open_scoring:
        step_open(step=workshop.steps.get(kind=StepKind.WEIGHTS), user=facilitator)
    return workshop


def test_a_facilitator_proposes_a_suggestion_in_their_workshop_once(client_as, icp):
    client = client_as(Role.FACILITATOR)
    workshop = _workshop(icp, client.person)
    suggestion, signed = _suggestion(client, icp.rubric, field="industry", positive=True)
    url = reverse("analytics:suggestion_to_workshop", args=[icp.rubric.pk])

    first = client.post(url, {"suggestion": signed, "points": 1, "workshop": workshop.pk})
    second = client.post(url, {"suggestion": signed, "points": 1, "workshop": workshop.pk})

    assert first.status_code == second.status_code == 302
    proposal = Proposal.objects.get(step__workshop=workshop)
    assert (proposal.criterion_field, proposal.criterion_operator, proposal.points) == ("industry", "in", 1)
    assert set(proposal.criterion_values) == set(suggestion.values) == {"Software", "Healthcare"}
    assert proposal.author == client.person
    assert "times as common" in proposal.text  # the evidence travels with it


def test_an_admin_invited_to_a_workshop_proposes_there_too(client_as, make_person, icp):
    client = client_as(Role.ADMIN)
    workshop = _workshop(icp, make_person(Role.FACILITATOR), invitees=[client.person])
    signed = _suggestion(client, icp.rubric, field="industry")[1]

    response = client.post(
        reverse("analytics:suggestion_to_workshop", args=[icp.rubric.pk]),
        {"suggestion": signed, "points": 1, "workshop": workshop.pk},
    )

    assert response.status_code == 302
    assert Proposal.objects.filter(step__workshop=workshop, author=client.person).count() == 1


def test_a_suggestion_that_would_score_a_criterion_of_the_rubric_twice_is_refused_in_the_workshop(client_as, icp):
    client = client_as(Role.FACILITATOR)
    workshop = _workshop(icp, client.person)
    signed = _suggestion(client, icp.rubric, field="employees")[1]  # the band overlaps “employees 200 to 1,999”

    response = client.post(
        reverse("analytics:suggestion_to_workshop", args=[icp.rubric.pk]),
        {"suggestion": signed, "points": 1, "workshop": workshop.pk},
    )

    assert response.status_code == 400
    assert "The rubric already scores this" in response.content.decode()
    assert not Proposal.objects.filter(step__workshop=workshop).exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SALES_REP])
def test_members_and_reps_do_not_send_to_a_workshop(client_as, make_person, icp, role):
    client = client_as(role)
    workshop = _workshop(icp, make_person(Role.FACILITATOR), invitees=[client.person])
    signed = _suggestion(client_as(Role.ADMIN), icp.rubric)[1]
    client.force_login(workshop.participants.get().user)  # client_as signed the admin in meanwhile

    response = client.post(
        reverse("analytics:suggestion_to_workshop", args=[icp.rubric.pk]),
        {"suggestion": signed, "points": 1, "workshop": workshop.pk},
    )

    assert response.status_code == 403
    assert not Proposal.objects.exists()


def test_a_facilitator_cannot_propose_in_someone_elses_workshop(client_as, make_person, icp):
    client = client_as(Role.FACILITATOR)
    workshop = _workshop(icp, make_person(Role.FACILITATOR))
    signed = _suggestion(client, icp.rubric)[1]

    response = client.post(
        reverse("analytics:suggestion_to_workshop", args=[icp.rubric.pk]),
        {"suggestion": signed, "points": 1, "workshop": workshop.pk},
    )

    assert response.status_code == 400
    assert "that you take part in" in response.content.decode()
    assert not Proposal.objects.exists()


def test_it_refuses_a_workshop_whose_scoring_step_is_not_open(client_as, icp):
    client = client_as(Role.FACILITATOR)
    workshop = _workshop(icp, client.person, open_scoring=False)
    signed = _suggestion(client, icp.rubric)[1]

    response = client.post(
        reverse("analytics:suggestion_to_workshop", args=[icp.rubric.pk]),
        {"suggestion": signed, "points": 1, "workshop": workshop.pk},
    )

    assert response.status_code == 400
    assert "scoring step is open" in response.content.decode()
    assert not Proposal.objects.exists()


def test_the_traits_page_offers_the_open_workshops_of_the_profile(client_as, icp):
    client = client_as(Role.FACILITATOR)
    workshop = _workshop(icp, client.person)

    page = client.get(reverse("analytics:traits", args=[icp.rubric.pk]), {"best": "won"})

    assert page.context["workshops"] == [workshop]
    assert "Propose in the workshop" in page.content.decode()
