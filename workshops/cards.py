"""A step's proposal cards, drawn once per workshop version in each worker process, not once per person.

Everyone in the room polls the proposals every second, and every proposal, vote or comment changes the
workshop's version, so each change used to be drawn again for every person. A card is the same for all
(the proposal, its votes and voters, its comments, its links) but for the person's own vote buttons. So
each process keeps the cards of the last versions it drew (the rows, and each card's HTML before and after
the buttons) and draws only the buttons for each person.

The version is read, with the ETag, before the rows (live.py): cards kept under a version are at least that
new, and a change committed meanwhile has a newer version, which the next poll fetches.

A step whose content is hidden (private or poker, before the reveal: privacy.py) is not the same for all: its
cards are drawn for each person from what they may see, and never kept.

Each card is also kept by what it shows (its fingerprint: the proposal's fields, the names on it, its votes,
comments and picks, and the step's and workshop's state that changes it), so a new version draws only the
cards that changed: a proposal added to a step of forty draws one card, not forty, in each process. And the
person's own part of a card (their vote buttons, an Edit link when they may edit) is put together here, not in
the template's loop: a poll that must answer 200 costs a few string joins per card.
"""

import dataclasses
import threading
from collections import OrderedDict

from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from teams.models import User

from .forms import POINTS
from .models import Proposal, Step
from .privacy import rows_visible
from .selectors import ProposalRow, step_rows

KEPT = 32  # versions kept per process: a few steps of a few workshops running at once
KEPT_CARDS = 4096  # cards kept per process, by fingerprint
SLOT = "<!-- the person's vote buttons -->"  # proposal text cannot make this: it is escaped
CSRF_MARK = "csrf-token-of-the-person"  # where each person's CSRF token goes in their vote buttons

_kept: OrderedDict[tuple, list[ProposalRow]] = OrderedDict()
_kept_cards: OrderedDict[str, ProposalRow] = OrderedDict()
_kept_steps: OrderedDict[tuple, Step] = OrderedDict()
_lock = threading.Lock()
_PROPOSAL_FIELDS = [field.attname for field in Proposal._meta.concrete_fields]


def step_at(step_id: int, workshop_created_at, version: int) -> Step:
    """The step with its workshop, loaded once per workshop version in each process: a change wakes everyone's
    poll at once (live.py), and each would load the same rows. Every change to a step or its workshop moves the
    version (services/), so the kept step is at least as new as ``version``, as the cards are. Read-only: the
    same object goes to every request of the process at that version. 404 when there is no such step."""
    key = (step_id, workshop_created_at, version)
    with _lock:
        step = _kept_steps.get(key)
        if step is not None:
            _kept_steps.move_to_end(key)
            return step
    step = get_object_or_404(Step.objects.select_related("workshop"), pk=step_id)
    with _lock:
        _kept_steps[key] = step
        while len(_kept_steps) > KEPT:
            _kept_steps.popitem(last=False)
    return step


def step_cards(step: Step, version: int) -> list[ProposalRow]:
    """The step's rows as everybody sees them at ``version`` (or later), each with its card's HTML."""
    # The workshop's creation time is in the key as well: a test database may give a new workshop an old id.
    key = (step.pk, step.workshop.created_at, version)
    with _lock:
        cards = _kept.get(key)
        if cards is not None:
            _kept.move_to_end(key)
            return cards
    cards = [_card(step, row) for row in step_rows(step, None)]
    with _lock:
        _kept[key] = cards
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return cards


def _card(step: Step, row: ProposalRow) -> ProposalRow:
    """The row with its card, drawn now or kept from when a card that shows the same was drawn."""
    fingerprint = _fingerprint(step, row)
    with _lock:
        drawn = _kept_cards.get(fingerprint)
        if drawn is not None:
            _kept_cards.move_to_end(fingerprint)
    if drawn is None:
        drawn = _drawn(step, row)
        with _lock:
            _kept_cards[fingerprint] = drawn
            while len(_kept_cards) > KEPT_CARDS:
                _kept_cards.popitem(last=False)
    return dataclasses.replace(
        row,
        card_head=drawn.card_head,
        card_tail=drawn.card_tail,
        vote_forms=drawn.vote_forms,
        edit_link=drawn.edit_link,
        votable=drawn.votable,
        editable=drawn.editable,
    )


def _name(user: User | None) -> str:
    return user.display_name if user is not None else ""


def _team(team) -> str:
    return team.name if team is not None else ""


def _fingerprint(step: Step, row: ProposalRow) -> str:
    """Everything a card shows or depends on (proposal_card.html, vote_form.html), as one string."""
    proposal, workshop = row.proposal, step.workshop
    return repr(
        (
            (step.pk, workshop.pk, workshop.created_at, step.status, step.privacy, step.revealed_at),
            (workshop.status, workshop.voting, workshop.anonymous_votes),
            [getattr(proposal, name) for name in _PROPOSAL_FIELDS],
            (_name(proposal.author), _team(proposal.author_team), _name(proposal.edited_by)),
            str(proposal.merged_into) if proposal.merged_into_id else "",
            [(vote.pk, vote.value, vote.voter_id, _name(vote.voter)) for vote in row.votes],
            [(comment.pk, comment.text, _name(comment.author), _team(comment.author_team)) for comment in row.comments],
            [(pick.pk, pick.points, pick.voter_id, _team(pick.voter_team)) for pick in row.picks],
            row.points_hidden,
            row.matches,
        )
    )


def _drawn(step: Step, row: ProposalRow) -> ProposalRow:
    context = {"row": row, "step": step, "workshop": step.workshop, "vote_slot": mark_safe(SLOT)}
    head, tail = render_to_string("workshops/proposal_card.html", context).split(SLOT)
    # Both halves come from one autoescaped rendering; so does each state of the vote buttons, with a mark
    # where the person's CSRF token goes.
    vote_forms = {
        my_vote: render_to_string(
            "workshops/vote_form.html",
            {**context, "row": dataclasses.replace(row, my_vote=my_vote), "csrf_token": CSRF_MARK},
        )
        for my_vote in (None, 1, -1)
    }
    proposal, workshop = row.proposal, step.workshop
    standing = proposal.status == "proposed" and not proposal.merged_into_id
    edit_link = render_to_string("workshops/edit_link.html", context) if standing else ""
    return dataclasses.replace(
        row,
        card_head=mark_safe(head),
        card_tail=mark_safe(tail),
        vote_forms=vote_forms,
        edit_link=edit_link,
        votable=standing and step.is_open,
        editable=standing and not workshop.is_closed and step.status != "closed",
    )


def cards_for(
    cards: list[ProposalRow],
    user: User,
    csrf_token: str = "",
    *,
    participant: bool = False,
    facilitator: bool = False,
    picking: bool = False,
) -> tuple[str, int]:
    """The cards as ``user`` sees them, as one HTML string, and how many votes they have cast in the step.

    Each card gets the person's own part: their pick form when they are ``picking`` in a poker round, their vote
    buttons (in the state of their vote, with their CSRF token) when a ``participant`` may vote on it, an Edit
    link when they wrote it or are the ``facilitator``. Plain string joins: this runs for every person at every
    change."""
    user_id = user.pk  # once: request.user is a lazy object, each attribute read a call
    mine = {row.proposal.pk: vote.value for row in cards for vote in row.votes if vote.voter_id == user_id}
    picks = {row.proposal.pk: pick.points for row in cards for pick in row.picks if pick.voter_id == user_id}
    parts = []
    for row in cards:
        parts.append(row.card_head)
        if picking and row.votable and row.proposal.is_weight:
            context = {"row": dataclasses.replace(row, my_pick=picks.get(row.proposal.pk)), "points_choices": POINTS}
            parts.append(render_to_string("workshops/pick_form.html", {**context, "csrf_token": csrf_token}))
        if participant and row.votable:
            # The token is letters and digits (Django's CSRF alphabet): nothing to escape.
            parts.append(row.vote_forms[mine.get(row.proposal.pk)].replace(CSRF_MARK, csrf_token))
        if row.editable and (facilitator or row.proposal.author_id == user_id):
            parts.append(row.edit_link)
        parts.append(row.card_tail)
    # Every part was drawn by an autoescaped template.
    return mark_safe("".join(parts)), len(mine)  # noqa: S308


def step_cards_of(
    step: Step, version: int, user: User, csrf_token: str = "", *, participant: bool = False, facilitator: bool = False
) -> tuple[str, int]:
    """The cards ``user`` sees in ``step`` at ``version``, with their own part of each, as HTML, and how many votes
    they have cast (see ``cards_for``)."""
    if step.is_hidden:
        visible = rows_visible(step_rows(step, None), step, user)
        cards = [_drawn(step, row) for row in visible]
    else:
        cards = step_cards(step, version)
    picking = participant and step.is_poker and step.is_hidden and step.is_open
    return cards_for(cards, user, csrf_token, participant=participant, facilitator=facilitator, picking=picking)


def cards_forget_on_template_change(sender, file_path, **kwargs) -> None:
    """Forget every card when a template file changes under runserver (it reloads templates, not this process)."""
    if file_path.suffix == ".html":
        with _lock:
            _kept.clear()
            _kept_cards.clear()
            _kept_steps.clear()
