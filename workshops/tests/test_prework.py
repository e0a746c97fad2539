"""Before the meeting: the invitation email's link, proposing (not voting) on steps not opened yet, and the
pre-work marked on the board."""

import pytest
from django.core import mail
from django.urls import reverse

from profiles.models import Section
from teams.models import Role, Team
from workshops.models import Comment, Proposal, Vote
from workshops.services.room import WorkshopRefused, participants_invite, proposal_add, step_close, vote_cast
from workshops.tests.factories import person, running_workshop

pytestmark = pytest.mark.django_db


def test_the_invitation_email_links_to_the_workshop(client, django_capture_on_commit_callbacks):
    room = running_workshop()
    newcomer = person(Role.MEMBER, Team.SALES, email="newcomer@example.com")
    client.force_login(room.facilitator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("workshops:invite", args=[room.workshop.pk]), {"people": [newcomer.pk]})

    assert [message.to for message in mail.outbox] == [["newcomer@example.com"]]
    link = "http://testserver" + reverse("workshops:detail", args=[room.workshop.pk])
    assert link in mail.outbox[0].body
    assert "propose" in mail.outbox[0].body


def test_someone_invited_proposes_on_an_upcoming_step_marked_pre_work(client):
    room = running_workshop()
    upcoming = room.workshop.steps.get(position=4)
    assert upcoming.status == "pending"
    client.force_login(room.sales)

    response = client.post(
        reverse("workshops:propose", args=[upcoming.pk]), {"section": Section.NEEDS, "text": "One view of pipeline"}
    )

    assert response.status_code == 302
    proposal = Proposal.objects.get(step=upcoming)
    assert proposal.prework is True
    client.force_login(room.facilitator)
    board = client.get(reverse("workshops:board", args=[upcoming.pk])).content.decode()
    assert "One view of pipeline" in board
    assert 'data-testid="prework"' in board


def test_nobody_votes_or_comments_on_an_upcoming_step(client):
    room = running_workshop()
    upcoming = room.workshop.steps.get(position=4)
    proposal = proposal_add(step=upcoming, user=room.sales, section=Section.NEEDS, text="One view")
    client.force_login(room.marketing)

    vote = client.post(reverse("workshops:vote", args=[proposal.pk]), {"value": 1})
    comment = client.post(reverse("workshops:comment", args=[proposal.pk]), {"text": "Yes"})

    assert (vote.status_code, comment.status_code) == (302, 409)  # a plain vote post goes back with the message
    assert not Vote.objects.exists()
    assert not Comment.objects.exists()


def test_nobody_proposes_or_votes_on_a_closed_step_409_and_nothing_changed(client):
    room = running_workshop()
    proposal = proposal_add(step=room.step, user=room.sales, section=Section.PAIN_POINTS, text="Slow")
    step_close(step=room.step, user=room.facilitator)
    client.force_login(room.marketing)

    proposed = client.post(
        reverse("workshops:propose", args=[room.step.pk]),
        {"section": Section.PAIN_POINTS, "text": "Late"},
        headers={"HX-Request": "true"},
    )
    voted = client.post(reverse("workshops:vote", args=[proposal.pk]), {"value": 1}, headers={"HX-Request": "true"})
    with pytest.raises(WorkshopRefused):
        vote_cast(proposal=proposal, user=room.success)

    assert (proposed.status_code, voted.status_code) == (409, 409)
    assert Proposal.objects.count() == 1
    assert not Vote.objects.exists()


def test_an_invitation_without_the_sites_address_sends_no_email(django_capture_on_commit_callbacks):
    room = running_workshop()
    with django_capture_on_commit_callbacks(execute=True):
        participants_invite(workshop=room.workshop, users=[person(email="x@example.com")], user=room.facilitator)
    assert mail.outbox == []
