"""Merging duplicate proposals: votes and comments move, a double dot is given back, and undo restores both."""

import pytest
from django.urls import reverse

from workshops.models import Comment, Proposal, Vote
from workshops.services.merging import proposal_merge, proposal_merge_undo
from workshops.services.room import WorkshopRefused, comment_add, proposal_decide, vote_cast
from workshops.tests.factories import item, running_workshop

pytestmark = pytest.mark.django_db


def _planted(dots=3):
    """A (kept), B (its duplicate), C. Marketing dotted A and B, sales B, success A and C; sales commented on B,
    success on A."""
    room = running_workshop(dots=dots)
    a = item(room, author=room.marketing, text="Reporting takes a day")
    b = item(room, author=room.sales, text="Reports take a whole day")
    c = item(room, author=room.success, text="No single view of the customer")
    for user, proposals in ((room.marketing, [a, b]), (room.sales, [b]), (room.success, [a, c])):
        for proposal in proposals:
            vote_cast(proposal=proposal, user=user)
    comment_add(proposal=b, user=room.sales, text="Same as A")
    comment_add(proposal=a, user=room.success, text="Every Monday")
    return room, a, b, c


def _state(*proposals) -> dict:
    return {
        proposal.text: (
            sorted((vote.voter.username, vote.value, vote.created_at) for vote in proposal.votes.all()),
            sorted(comment.text for comment in proposal.comments.all()),
        )
        for proposal in proposals
    }


def test_it_moves_votes_and_comments_and_gives_back_the_second_dot():
    room, a, b, c = _planted()

    proposal_merge(proposal=b, into=a, user=room.facilitator)

    voters_a = sorted(Vote.objects.filter(proposal=a).values_list("voter__username", flat=True))
    assert voters_a == sorted([room.marketing.username, room.sales.username, room.success.username])
    assert not Vote.objects.filter(proposal=b).exists()
    assert sorted(Comment.objects.filter(proposal=a).values_list("text", flat=True)) == ["Every Monday", "Same as A"]
    assert Vote.objects.filter(voter=room.marketing).count() == 1, "marketing got its second dot back"
    assert Vote.objects.filter(voter=room.sales).count() == 1
    assert Proposal.objects.get(pk=b.pk).merged_into_id == a.pk
    assert Vote.objects.filter(proposal=c).count() == 1


def test_undo_restores_both_exactly():
    room, a, b, c = _planted()
    before = _state(a, b, c)

    proposal_merge(proposal=b, into=a, user=room.facilitator)
    assert proposal_merge_undo(proposal=b, user=room.facilitator) is True
    assert proposal_merge_undo(proposal=b, user=room.facilitator) is False, "a second undo changes nothing"

    assert _state(a, b, c) == before
    assert Proposal.objects.get(pk=b.pk).merged_into_id is None


def test_undo_is_refused_when_the_dot_given_back_was_placed_elsewhere():
    room, a, b, c = _planted(dots=2)
    proposal_merge(proposal=b, into=a, user=room.facilitator)
    vote_cast(proposal=c, user=room.marketing)  # the dot given back, spent
    votes = sorted(Vote.objects.values_list("proposal_id", "voter_id"))

    with pytest.raises(WorkshopRefused, match="placed the dot they got back"):
        proposal_merge_undo(proposal=b, user=room.facilitator)

    assert sorted(Vote.objects.values_list("proposal_id", "voter_id")) == votes
    assert Proposal.objects.get(pk=b.pk).merged_into_id == a.pk


def test_a_merged_proposal_takes_no_more_votes_and_says_where_it_went(client):
    room, a, b, c = _planted()
    proposal_merge(proposal=b, into=a, user=room.facilitator)

    with pytest.raises(WorkshopRefused):
        vote_cast(proposal=b, user=room.success)
    with pytest.raises(WorkshopRefused):
        proposal_decide(proposal=b, user=room.facilitator, status="agreed")
    client.force_login(room.success)
    page = client.get(reverse("workshops:proposals", args=[room.step.pk])).content.decode()

    assert "merged into “Reporting takes a day”" in page


def test_only_the_facilitator_merges_or_undoes_403_and_nothing_changed(client):
    room, a, b, c = _planted()
    before = _state(a, b, c)
    client.force_login(room.sales)

    merged = client.post(reverse("workshops:merge", args=[b.pk]), {"into": a.pk})
    proposal_merge(proposal=c, into=a, user=room.facilitator)
    after_merge = _state(a, b, c)
    undone = client.post(reverse("workshops:unmerge", args=[c.pk]))

    assert (merged.status_code, undone.status_code) == (403, 403)
    assert Proposal.objects.get(pk=b.pk).merged_into_id is None
    assert _state(a, b, c) == after_merge != before


def test_the_facilitator_merges_and_undoes_from_the_board(client):
    room, a, b, c = _planted()
    client.force_login(room.facilitator)

    board = client.get(reverse("workshops:board", args=[room.step.pk])).content.decode()
    merged = client.post(reverse("workshops:merge", args=[b.pk]), {"into": a.pk})
    after = client.get(reverse("workshops:board", args=[room.step.pk])).content.decode()
    refused = client.post(reverse("workshops:merge", args=[a.pk]), {"into": a.pk})
    undone = client.post(reverse("workshops:unmerge", args=[b.pk]))

    assert 'data-testid="merge-form"' in board
    assert (merged.status_code, undone.status_code) == (302, 302)
    assert 'data-testid="merged"' in after
    assert refused.status_code == 409
    assert Proposal.objects.get(pk=b.pk).merged_into_id is None
