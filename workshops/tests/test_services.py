"""The contention rules, on the services: nothing lost, nothing counted twice, nobody uninvited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from profiles.models import ItemStatus, Section
from teams.models import Role, Team
from workshops.models import Comment, Proposal, Vote, Voting, Workshop
from workshops.services.room import (
    ProposalChangedMeanwhile,
    WorkshopRefused,
    comment_add,
    proposal_add,
    proposal_decide,
    proposal_edit,
    step_close,
    step_open,
    vote_cast,
    vote_withdraw,
)
from workshops.tests.factories import item, person, running_workshop

pytestmark = pytest.mark.django_db


def _version(room) -> int:
    return Workshop.objects.get(pk=room.workshop.pk).version


def test_it_makes_the_default_agenda_from_the_profile_checklist():
    room = running_workshop()

    steps = list(room.workshop.steps.values_list("kind", "status"))

    assert len(steps) == 6
    assert steps[-1][0] == "weights"
    assert [status for _, status in steps] == ["pending", "pending", "pending", "open", "pending", "pending"]
    assert room.workshop.participants.count() == 3


def test_it_refuses_a_stale_edit_and_keeps_the_other_persons_text():
    room = running_workshop()
    proposal = item(room, text="Manual reporting")
    loaded = proposal.revision

    proposal_edit(proposal=proposal, user=room.facilitator, revision=loaded, text="Manual reporting every Monday")
    with pytest.raises(ProposalChangedMeanwhile) as refused:
        proposal_edit(proposal=proposal, user=room.marketing, revision=loaded, text="Reporting by hand")

    assert refused.value.proposal.text == "Manual reporting every Monday"
    proposal.refresh_from_db()
    assert proposal.text == "Manual reporting every Monday"
    assert proposal.revision == loaded + 1


def test_it_counts_a_double_click_as_one_vote():
    room = running_workshop(dots=3)
    proposal = item(room)

    first = vote_cast(proposal=proposal, user=room.sales)
    second = vote_cast(proposal=proposal, user=room.sales)

    assert first.pk == second.pk
    assert Vote.objects.filter(proposal=proposal).count() == 1


def test_it_keeps_one_vote_when_the_unique_constraint_catches_a_race():
    room = running_workshop()
    proposal = item(room)
    Vote.objects.create(proposal=proposal, voter=room.sales, value=1)

    with pytest.raises(Exception), transaction.atomic():  # noqa: B017, PT011  (IntegrityError, whatever the database)
        Vote.objects.create(proposal=proposal, voter=room.sales, value=1)

    assert Vote.objects.filter(proposal=proposal, voter=room.sales).count() == 1


def test_it_refuses_a_dot_beyond_the_persons_dots():
    room = running_workshop(dots=2)
    proposals = [item(room, text=f"Pain {number}") for number in range(3)]
    vote_cast(proposal=proposals[0], user=room.sales)
    vote_cast(proposal=proposals[1], user=room.sales)

    with pytest.raises(WorkshopRefused, match="all your 2 dots"):
        vote_cast(proposal=proposals[2], user=room.sales)

    assert Vote.objects.filter(voter=room.sales).count() == 2


def test_it_gives_a_dot_back_to_spend_again():
    room = running_workshop(dots=1)
    first, second = item(room, text="One"), item(room, text="Two")
    vote_cast(proposal=first, user=room.sales)

    vote_withdraw(proposal=first, user=room.sales)
    vote_cast(proposal=second, user=room.sales)

    assert list(Vote.objects.filter(voter=room.sales).values_list("proposal", flat=True)) == [second.pk]


def test_it_counts_dots_per_step():
    room = running_workshop(dots=1)
    vote_cast(proposal=item(room), user=room.sales)
    other_step = room.workshop.steps.get(position=4)
    step_open(step=other_step, user=room.facilitator)
    proposal = proposal_add(step=other_step, user=room.marketing, section=Section.NEEDS, text="Forecasts")

    vote_cast(proposal=proposal, user=room.sales)

    assert Vote.objects.filter(voter=room.sales).count() == 2


def test_it_refuses_votes_proposals_and_comments_on_a_closed_step():
    room = running_workshop()
    proposal = item(room)
    step_close(step=room.step, user=room.facilitator)

    with pytest.raises(WorkshopRefused):
        vote_cast(proposal=proposal, user=room.sales)
    with pytest.raises(WorkshopRefused):
        item(room, author=room.sales)
    with pytest.raises(WorkshopRefused):
        comment_add(proposal=proposal, user=room.sales, text="Late")
    with pytest.raises(WorkshopRefused):
        proposal_edit(proposal=proposal, user=room.marketing, revision=proposal.revision, text="Late")

    assert not Vote.objects.exists()
    assert Proposal.objects.count() == 1
    assert not Comment.objects.exists()


def test_it_refuses_people_not_invited():
    room = running_workshop()
    proposal = item(room)
    outsider = person(Role.MEMBER, Team.SALES)
    admin = person(Role.ADMIN, Team.SALES)

    for somebody in (outsider, admin):
        with pytest.raises(PermissionDenied):
            item(room, author=somebody)
        with pytest.raises(PermissionDenied):
            proposal_edit(proposal=proposal, user=somebody, revision=proposal.revision, text="Mine now")
        with pytest.raises(PermissionDenied):
            vote_cast(proposal=proposal, user=somebody)
        with pytest.raises(PermissionDenied):
            comment_add(proposal=proposal, user=somebody, text="Hello")
        with pytest.raises(PermissionDenied):
            proposal_decide(proposal=proposal, user=somebody, status=ItemStatus.AGREED)

    proposal.refresh_from_db()
    assert proposal.text == "Spreadsheets break at scale"
    assert proposal.status == ItemStatus.PROPOSED
    assert not Vote.objects.exists()


def test_it_lets_only_the_facilitator_decide_and_run_steps():
    room = running_workshop()
    proposal = item(room)

    with pytest.raises(PermissionDenied):
        proposal_decide(proposal=proposal, user=room.sales, status=ItemStatus.AGREED)
    with pytest.raises(PermissionDenied):
        step_close(step=room.step, user=room.sales)

    assert proposal_decide(proposal=proposal, user=room.facilitator, status=ItemStatus.AGREED).status == "agreed"


def test_it_does_not_let_the_facilitator_vote():
    room = running_workshop()

    with pytest.raises(PermissionDenied):
        vote_cast(proposal=item(room), user=room.facilitator)


def test_it_changes_an_agree_into_a_disagree_without_a_second_vote():
    room = running_workshop(voting=Voting.AGREE)
    proposal = item(room)

    vote_cast(proposal=proposal, user=room.sales, value=1)
    vote_cast(proposal=proposal, user=room.sales, value=-1)

    assert list(Vote.objects.values_list("value", flat=True)) == [-1]


def test_it_refuses_a_disagree_in_dot_voting():
    room = running_workshop(voting=Voting.DOTS)

    with pytest.raises(ValidationError):
        vote_cast(proposal=item(room), user=room.sales, value=-1)


def test_it_bumps_the_version_on_every_change():
    room = running_workshop()
    versions = [_version(room)]
    proposal = item(room)
    versions.append(_version(room))
    vote_cast(proposal=proposal, user=room.sales)
    versions.append(_version(room))
    comment_add(proposal=proposal, user=room.success, text="Yes")
    versions.append(_version(room))
    proposal_edit(proposal=proposal, user=room.marketing, revision=proposal.revision, text="Edited")
    versions.append(_version(room))
    proposal_decide(proposal=proposal, user=room.facilitator, status=ItemStatus.AGREED)
    versions.append(_version(room))

    assert versions == sorted(set(versions))


def test_it_checks_a_weight_as_the_rubric_editor_would():
    room = running_workshop()
    step = room.weights_step
    step_open(step=step, user=room.facilitator)

    with pytest.raises(ValidationError):
        proposal_add(step=step, user=room.sales, field="industry", operator="gte", values=["x"], points=2)
    with pytest.raises(ValidationError):
        proposal_add(step=step, user=room.sales, field="industry", operator="in", values=["Software"], points=5)
    weight = proposal_add(
        step=step, user=room.sales, field="industry", operator="in", values=["Software"], points=2, label="Software"
    )

    assert (weight.kind, weight.points, weight.criterion_values) == ("weight", 2, ["Software"])


def test_it_agrees_on_one_weight_per_criterion():
    room = running_workshop()
    step = room.weights_step
    step_open(step=step, user=room.facilitator)
    spec = {"field": "industry", "operator": "in", "values": ["Software"]}
    low = proposal_add(step=step, user=room.sales, points=1, **spec)
    high = proposal_add(step=step, user=room.marketing, points=3, **spec)

    proposal_decide(proposal=low, user=room.facilitator, status=ItemStatus.AGREED)
    proposal_decide(proposal=high, user=room.facilitator, status=ItemStatus.AGREED)

    low.refresh_from_db()
    assert low.status == ItemStatus.PROPOSED
    assert Proposal.objects.get(status=ItemStatus.AGREED) == high
