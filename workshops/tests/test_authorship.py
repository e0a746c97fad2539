"""Only a proposal's author or the facilitator changes it; an edit by the facilitator shows on the card, and the
card's history says who changed what, when."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from workshops.models import Proposal, ProposalChange
from workshops.services.room import proposal_add, proposal_edit, step_open
from workshops.tests.factories import item, running_workshop

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_it_refuses_an_edit_of_someone_elses_proposal_with_403_and_changes_nothing(client):
    room = running_workshop()
    proposal = item(room, text="Manual reporting")
    client.force_login(room.sales)

    shown = client.get(reverse("workshops:proposal_edit", args=[proposal.pk]), headers=HTMX)
    posted = client.post(
        reverse("workshops:proposal_edit", args=[proposal.pk]), {"revision": proposal.revision, "text": "Mine now"}
    )

    assert shown.status_code == 403
    assert posted.status_code == 403
    after = Proposal.objects.get()
    assert (after.text, after.revision, after.edited_by) == ("Manual reporting", proposal.revision, None)
    assert not ProposalChange.objects.exists()


def test_it_refuses_someone_elses_points_in_the_service():
    room = running_workshop()
    step = room.weights_step
    step_open(step=step, user=room.facilitator)
    weight = proposal_add(step=step, user=room.marketing, field="industry", operator="in", values=["SaaS"], points=2)

    with pytest.raises(PermissionDenied):
        proposal_edit(proposal=weight, user=room.success, revision=weight.revision, text="", points=-3)

    assert Proposal.objects.get().points == 2


def test_it_marks_the_facilitators_edit_on_the_card_and_in_the_history(client):
    room = running_workshop()
    proposal = item(room, text="Manual reporting")
    proposal_edit(proposal=proposal, user=room.marketing, revision=1, text="Manual reporting weekly")
    proposal_edit(proposal=proposal, user=room.facilitator, revision=2, text="Reporting by hand every week")
    client.force_login(room.sales)

    card = client.get(reverse("workshops:proposals", args=[room.step.pk])).content.decode()
    history = client.get(reverse("workshops:proposal_history", args=[proposal.pk]), headers=HTMX)

    name = room.facilitator.display_name
    assert f"edited by {name}, facilitator" in card
    assert 'data-testid="history-link"' in card
    assert history.status_code == 200
    lines = [line.split("</li>")[0] for line in history.content.decode().split('data-testid="history-line"')[1:]]
    assert len(lines) == 2
    assert all(part in lines[0] for part in (name, "(facilitator)", "Reporting by hand every week"))
    assert all(part in lines[1] for part in (room.marketing.display_name, "Manual reporting weekly"))


def test_it_does_not_mark_the_authors_own_edit():
    room = running_workshop()
    proposal = item(room)

    edited = proposal_edit(proposal=proposal, user=room.marketing, revision=1, text="Better words")

    assert edited.edited_by is None
    assert ProposalChange.objects.get().by == room.marketing


def test_it_shows_the_edit_link_only_to_the_author_and_the_facilitator(client):
    room = running_workshop()
    proposal = item(room)
    edit_url = reverse("workshops:proposal_edit", args=[proposal.pk])

    seen = {}
    for user in (room.marketing, room.sales, room.facilitator):
        client.force_login(user)
        seen[user.username] = (
            edit_url in client.get(reverse("workshops:proposals", args=[room.step.pk])).content.decode()
        )

    assert seen == {room.marketing.username: True, room.sales.username: False, room.facilitator.username: True}
