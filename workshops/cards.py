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
"""

import dataclasses
import threading
from collections import OrderedDict

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from teams.models import User

from .models import Step
from .privacy import rows_visible
from .selectors import ProposalRow, step_rows

KEPT = 32  # versions kept per process: a few steps of a few workshops running at once
SLOT = "<!-- the person's vote buttons -->"  # proposal text cannot make this: it is escaped
CSRF_MARK = "csrf-token-of-the-person"  # where each person's CSRF token goes in their vote buttons

_kept: OrderedDict[tuple, list[ProposalRow]] = OrderedDict()
_lock = threading.Lock()


def step_cards(step: Step, version: int) -> list[ProposalRow]:
    """The step's rows as everybody sees them at ``version`` (or later), each with its card's HTML."""
    # The workshop's creation time is in the key as well: a test database may give a new workshop an old id.
    key = (step.pk, step.workshop.created_at, version)
    with _lock:
        cards = _kept.get(key)
        if cards is not None:
            _kept.move_to_end(key)
            return cards
    cards = [_drawn(step, row) for row in step_rows(step, None)]
    with _lock:
        _kept[key] = cards
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return cards


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
    return dataclasses.replace(row, card_head=mark_safe(head), card_tail=mark_safe(tail), vote_forms=vote_forms)


def cards_for(cards: list[ProposalRow], user: User, csrf_token: str = "") -> tuple[list[ProposalRow], int]:
    """The cards with the person's own vote (and its buttons, with their CSRF token) and poker pick on each, and
    how many votes they have cast in the step."""
    mine = {row.proposal.pk: vote.value for row in cards for vote in row.votes if vote.voter_id == user.pk}
    picks = {row.proposal.pk: pick.points for row in cards for pick in row.picks if pick.voter_id == user.pk}
    rows = [
        dataclasses.replace(
            row,
            my_vote=mine.get(row.proposal.pk),
            my_pick=picks.get(row.proposal.pk),
            # The token is letters and digits (Django's CSRF alphabet): nothing to escape.
            vote_form=mark_safe(row.vote_forms[mine.get(row.proposal.pk)].replace(CSRF_MARK, csrf_token)),  # noqa: S308
        )
        for row in cards
    ]
    return rows, len(mine)


def step_cards_of(step: Step, version: int, user: User, csrf_token: str = "") -> tuple[list[ProposalRow], int]:
    """The cards ``user`` sees in ``step`` at ``version``, with their own votes (see ``cards_for``)."""
    if step.is_hidden:
        visible = rows_visible(step_rows(step, None), step, user)
        return cards_for([_drawn(step, row) for row in visible], user, csrf_token)
    return cards_for(step_cards(step, version), user, csrf_token)


def cards_forget_on_template_change(sender, file_path, **kwargs) -> None:
    """Forget every card when a template file changes under runserver (it reloads templates, not this process)."""
    if file_path.suffix == ".html":
        with _lock:
            _kept.clear()
