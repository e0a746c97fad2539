"""Private steps and weight poker: nothing hidden shows anywhere before the reveal, then everything at once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from profiles.models import Section
from workshops.models import Comment, Participant, Privacy, Vote, WeightPick
from workshops.privacy import poker_state
from workshops.services.privacy import pick_cast, step_privacy_set, step_reveal
from workshops.services.room import WorkshopRefused, comment_add, proposal_add, step_open, vote_cast
from workshops.tests.factories import item, running_workshop

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
SECRET = "Secret-pain-only-marketing-knows"


def _private_room():
    room = running_workshop()
    step_privacy_set(step=room.step, user=room.facilitator, privacy=Privacy.PRIVATE)
    room.step.refresh_from_db()
    return room


def _every_read(room, proposal) -> dict[str, str]:
    """Every page, fragment and export of the workshop that shows proposals or votes."""
    step, workshop = room.step, room.workshop
    return {
        "step page": reverse("workshops:step", args=[step.pk]),
        "proposals fragment": reverse("workshops:proposals", args=[step.pk]),
        "bar fragment": reverse("workshops:bar", args=[step.pk]),
        "summary": reverse("workshops:summary", args=[workshop.pk]),
        "summary export": reverse("workshops:summary_export", args=[workshop.pk]),
        "history": reverse("workshops:proposal_history", args=[proposal.pk]),
        "comment form": reverse("workshops:comment", args=[proposal.pk]),
        "edit form": reverse("workshops:proposal_edit", args=[proposal.pk]),
        "suggested weights": reverse("workshops:suggested_weights", args=[step.pk]),
        "evidence": reverse("workshops:evidence", args=[step.pk]),
        "workshop list": reverse("workshops:list"),
    }


def test_a_private_step_shows_nothing_of_the_others_anywhere_before_the_reveal(client):
    room = _private_room()
    secret = item(room, author=room.marketing, text=SECRET)
    vote_cast(proposal=secret, user=room.marketing)
    comment_add(proposal=secret, user=room.marketing, text="Secret-comment")

    for user in (room.sales, room.success, room.facilitator):
        client.force_login(user)
        reads = _every_read(room, secret)
        if user == room.facilitator:
            reads["board"] = reverse("workshops:board", args=[room.step.pk])
            reads["board fragment"] = reverse("workshops:board_live", args=[room.step.pk])
            reads["agenda"] = reverse("workshops:agenda", args=[room.workshop.pk])
            reads["people"] = reverse("workshops:people", args=[room.workshop.pk])
            reads["close preview"] = reverse("workshops:close", args=[room.workshop.pk])
        for name, url in reads.items():
            response = client.get(url, headers=HTMX)
            content = response.content.decode()
            assert SECRET not in content, f"{name} leaks the proposal to {user.username}"
            assert "Secret-comment" not in content, f"{name} leaks the comment to {user.username}"
            assert response.status_code in (200, 403), name

    client.force_login(room.marketing)
    assert SECRET in client.get(reverse("workshops:proposals", args=[room.step.pk])).content.decode()


def test_the_board_shows_only_counts_before_the_reveal(client):
    room = _private_room()
    secret = item(room, author=room.marketing, text=SECRET)
    vote_cast(proposal=secret, user=room.marketing)
    client.force_login(room.facilitator)

    board = client.get(reverse("workshops:board_live", args=[room.step.pk])).content.decode()

    assert "1 proposal, 1 vote" in board
    assert SECRET not in board


def test_it_refuses_votes_and_comments_on_a_hidden_proposal_with_403_and_nothing_changed(client):
    room = _private_room()
    secret = item(room, author=room.marketing, text=SECRET)
    client.force_login(room.sales)

    vote = client.post(reverse("workshops:vote", args=[secret.pk]), {"value": 1})
    comment = client.post(reverse("workshops:comment", args=[secret.pk]), {"text": "Seen it"})
    with pytest.raises(PermissionDenied):
        vote_cast(proposal=secret, user=room.success)

    assert (vote.status_code, comment.status_code) == (403, 403)
    assert not Vote.objects.exists()
    assert not Comment.objects.exists()


def test_the_reveal_shows_everything_to_everyone_at_once(client):
    room = _private_room()
    secret = item(room, author=room.marketing, text=SECRET)
    vote_cast(proposal=secret, user=room.marketing)

    assert step_reveal(step=room.step, user=room.facilitator) is True
    assert step_reveal(step=room.step, user=room.facilitator) is False, "a second reveal changes nothing"

    client.force_login(room.sales)
    assert SECRET in client.get(reverse("workshops:proposals", args=[room.step.pk])).content.decode()
    client.force_login(room.facilitator)
    assert SECRET in client.get(reverse("workshops:board_live", args=[room.step.pk])).content.decode()


def test_only_the_facilitator_runs_a_step_privately_or_reveals_it(client):
    room = _private_room()
    client.force_login(room.sales)

    set_open = client.post(reverse("workshops:step_privacy", args=[room.step.pk]), {"privacy": Privacy.OPEN})
    reveal = client.post(reverse("workshops:step_reveal", args=[room.step.pk]))

    assert (set_open.status_code, reveal.status_code) == (403, 403)
    room.step.refresh_from_db()
    assert (room.step.privacy, room.step.revealed_at) == (Privacy.PRIVATE, None)


def _poker_room(*, joined=("marketing", "sales", "success")):
    room = running_workshop()
    step = room.weights_step
    step_open(step=step, user=room.facilitator)
    step_privacy_set(step=step, user=room.facilitator, privacy=Privacy.POKER)
    criterion = proposal_add(
        step=step, user=room.facilitator, field="industry", operator="in", values=["SaaS"], points=3, label="SaaS"
    )
    for name in joined:
        Participant.objects.filter(workshop=room.workshop, user=getattr(room, name)).update(joined_at=timezone.now())
    step.refresh_from_db()
    return room, step, criterion


def test_poker_reveals_by_itself_when_the_last_person_present_picks():
    room, step, criterion = _poker_room()

    assert pick_cast(proposal=criterion, user=room.marketing, points=3)[1] is False
    assert pick_cast(proposal=criterion, user=room.sales, points=-1)[1] is False
    assert poker_state(step).waiting_for == [room.success.display_name]
    assert pick_cast(proposal=criterion, user=room.success, points=2)[1] is True

    step.refresh_from_db()
    assert step.revealed_at is not None
    with pytest.raises(WorkshopRefused):
        pick_cast(proposal=criterion, user=room.sales, points=3)
    assert WeightPick.objects.get(voter=room.sales).points == -1


def test_poker_does_not_wait_for_someone_who_never_came():
    room, step, criterion = _poker_room(joined=("marketing", "sales"))

    pick_cast(proposal=criterion, user=room.marketing, points=1)
    _, revealed = pick_cast(proposal=criterion, user=room.sales, points=1)

    assert revealed is True
    assert poker_state(step).absent == [room.success.display_name]


def test_poker_hides_picks_and_proposed_points_in_every_fragment_until_the_reveal(client):
    room, step, criterion = _poker_room()
    pick_cast(proposal=criterion, user=room.marketing, points=-2)
    client.force_login(room.sales)

    proposals = client.get(reverse("workshops:proposals", args=[step.pk])).content.decode()
    suggested = client.get(reverse("workshops:suggested_weights", args=[step.pk])).content.decode()
    client.force_login(room.facilitator)
    board = client.get(reverse("workshops:board_live", args=[step.pk])).content.decode()

    assert "SaaS" in proposals, "the criterion on the table is seen"
    assert "points hidden until the reveal" in proposals
    assert 'data-testid="new-criterion"' not in proposals, "the author's points are not shown"
    assert "selected" not in proposals, "nobody else's pick is shown"
    assert "Picked" not in proposals
    teams_propose = [cell.split("</td>")[0] for cell in suggested.split('data-testid="teams-propose"')[1:]]
    assert all("+3" not in cell and "-2" not in cell for cell in teams_propose)
    assert "Not picked yet" in board
    assert room.sales.display_name in board
    assert room.marketing.display_name not in board.split("Not picked yet")[1].split("</p>")[0]
    assert 'data-testid="pick-table"' not in board


def test_after_the_reveal_the_spread_per_team_shows_beside_the_evidence(client):
    room, step, criterion = _poker_room()
    for user, points in ((room.marketing, 3), (room.sales, -1), (room.success, 2)):
        pick_cast(proposal=criterion, user=user, points=points)
    client.force_login(room.facilitator)

    board = client.get(reverse("workshops:board_live", args=[step.pk])).content.decode()
    client.force_login(room.sales)
    card = client.get(reverse("workshops:proposals", args=[step.pk])).content.decode()

    table = board.split('data-testid="pick-table"')[1]
    assert '<td data-testid="pick-spread">4</td>' in table
    assert "Sales: -1" in " ".join(table.split())
    assert 'data-testid="pick-spread"' in card
    assert "spread 4" in card


def test_picks_are_refused_for_someone_not_invited_and_outside_poker():
    room, step, criterion = _poker_room()
    with pytest.raises(PermissionDenied):
        pick_cast(proposal=criterion, user=room.facilitator, points=1)
    step_privacy_set(step=step, user=room.facilitator, privacy=Privacy.OPEN)
    with pytest.raises(WorkshopRefused):
        pick_cast(proposal=criterion, user=room.sales, points=1)
    assert not WeightPick.objects.exists()


def test_poker_is_only_for_a_weights_step():
    room = running_workshop()

    with pytest.raises(ValidationError):
        step_privacy_set(step=room.step, user=room.facilitator, privacy=Privacy.POKER)


def test_a_private_item_is_proposed_as_usual_but_seen_by_its_author_only(client):
    room = _private_room()
    proposal_add(step=room.step, user=room.sales, section=Section.PAIN_POINTS, text="Sales-only pain")
    client.force_login(room.success)
    assert "Sales-only pain" not in client.get(reverse("workshops:step", args=[room.step.pk])).content.decode()
    client.force_login(room.sales)
    assert "Sales-only pain" in client.get(reverse("workshops:step", args=[room.step.pk])).content.decode()
