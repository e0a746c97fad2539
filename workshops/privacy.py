"""Private steps and weight poker: what people put in stays hidden from the others until it is revealed, all at
once.

- A **private** step hides every proposal, vote and comment from everyone but its author (the facilitator's
  board, made to be projected, shows only how many there are) until the facilitator reveals the step.
- A **poker** step (a weights step) shows the criteria on the table (its weight proposals, without the points
  their authors gave) and each person invited picks −3..+3 for each, privately. The picks are revealed when
  everyone present has picked every criterion, or when the facilitator decides. **Present** means invited and
  having opened the workshop at least once (``Participant.joined_at``): someone who never came does not hold the
  round up, and the facilitator reveals by hand when someone who came has left.

Every region, fragment and page that shows proposals reads them through ``rows_visible`` (cards, board,
summary, the suggested weights), and the writes (services/privacy.py) refuse what a person may not see (access.py).
"""

import dataclasses
from dataclasses import dataclass

from profiles.models import ItemStatus
from teams.models import User

from .models import (
    Privacy,
    ProposalKind,
    Step,
    WeightPick,
)
from .selectors import ProposalRow


def rows_visible(rows: list[ProposalRow], step: Step, user: User) -> list[ProposalRow]:
    """The rows as ``user`` may see them in ``step`` now: all of them once revealed; before, in a private step
    their own proposals only, and in any hidden step only their own votes and picks (and a poker step's
    criteria without the points others gave them)."""
    if not step.is_hidden:
        return rows
    visible = []
    for row in rows:
        mine = row.proposal.author_id == user.pk
        if step.privacy == Privacy.PRIVATE and not mine:
            continue
        visible.append(
            dataclasses.replace(
                row,
                votes=[vote for vote in row.votes if vote.voter_id == user.pk],
                picks=[pick for pick in row.picks if pick.voter_id == user.pk],
                comments=[comment for comment in row.comments if comment.author_id == user.pk],
                points_hidden=not mine,
            )
        )
    return visible


def proposals_visible(step: Step, user: User | None):
    """The step's proposals ``user`` may see (None: nobody in particular, so only what is not hidden)."""
    proposals = step.proposals.all()
    if step.is_hidden and step.privacy == Privacy.PRIVATE:
        return proposals.filter(author=user) if user is not None else proposals.none()
    return proposals


@dataclass(frozen=True)
class HiddenCounts:
    proposals: int
    votes: int
    picks: int


def hidden_counts(step: Step) -> HiddenCounts:
    """How much is waiting for the reveal: counts, no content (the board shows them)."""
    proposals = step.proposals.filter(merged_into__isnull=True)
    return HiddenCounts(
        proposals=proposals.count(),
        votes=sum(proposal.votes.count() for proposal in proposals),
        picks=WeightPick.objects.filter(proposal__step=step).count(),
    )


def poker_criteria(step: Step):
    """The criteria on the table in a poker step: its weight proposals not merged, rejected or agreed yet."""
    return step.proposals.filter(kind=ProposalKind.WEIGHT, merged_into__isnull=True, status=ItemStatus.PROPOSED)


@dataclass(frozen=True)
class PokerState:
    waiting_for: list[str]  # names of the people invited who have not picked every criterion yet
    absent: list[str]  # of them, those who never came (they do not hold the round up)
    criteria: int
    present: int
    present_waiting: int

    @property
    def complete(self) -> bool:
        """Everyone present has picked every criterion (and there is something to pick and someone present)."""
        return bool(self.criteria and self.present) and not self.present_waiting


def poker_state(step: Step) -> PokerState:
    criteria = set(poker_criteria(step).values_list("pk", flat=True))
    picked: dict[int, set[int]] = {}
    for voter_id, proposal_id in WeightPick.objects.filter(proposal_id__in=criteria).values_list(
        "voter_id", "proposal_id"
    ):
        picked.setdefault(voter_id, set()).add(proposal_id)
    waiting, absent, present, present_waiting = [], [], 0, 0
    for seat in step.workshop.participants.filter(user__is_active=True).select_related("user"):
        here = seat.joined_at is not None
        present += here
        if picked.get(seat.user_id, set()) >= criteria:
            continue
        waiting.append(seat.user.display_name)
        if here:
            present_waiting += 1
        else:
            absent.append(seat.user.display_name)
    return PokerState(waiting, absent, len(criteria), present, present_waiting)
