"""Private steps and weight poker, the writes: how a step runs, its reveal, and the poker picks.

What hides what, and when a round is complete, is read in workshops/privacy.py.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from teams.models import User

from ..access import require_facilitator
from ..models import (
    WEIGHT_MAX,
    WEIGHT_MIN,
    Participant,
    Privacy,
    Proposal,
    Step,
    StepKind,
    WeightPick,
    Workshop,
)
from ..privacy import poker_criteria, poker_state
from .room import WorkshopRefused, workshop_touch


@transaction.atomic
def step_privacy_set(*, step: Step, user: User, privacy: str) -> Step:
    """Run a step openly, privately, or (a weights step) as weight poker. Choosing private or poker hides what
    is in the step again until the next reveal."""
    step = Step.objects.select_for_update().select_related("workshop").get(pk=step.pk)
    require_facilitator(step.workshop, user)
    if step.workshop.is_closed or not (step.is_open or step.is_pending):
        raise WorkshopRefused("This step is closed: how it runs cannot change any more.")
    if privacy not in Privacy.values:
        raise ValidationError({"privacy": "Open, private or weight poker."})
    if privacy == Privacy.POKER and step.kind != StepKind.WEIGHTS:
        raise ValidationError({"privacy": "Weight poker is for a criterion weights step."})
    if privacy == step.privacy:
        return step
    Step.objects.filter(pk=step.pk).update(privacy=privacy, revealed_at=None)
    workshop_touch(step.workshop_id, bar=True)
    step.refresh_from_db()
    return step


def _reveal(step: Step) -> bool:
    """Reveal the step once: a second reveal (two people at once, a double click) changes nothing."""
    revealed = Step.objects.filter(pk=step.pk, revealed_at__isnull=True).exclude(privacy=Privacy.OPEN)
    if not revealed.update(revealed_at=timezone.now()):
        return False
    workshop_touch(step.workshop_id, bar=True)
    return True


@transaction.atomic
def step_reveal(*, step: Step, user: User) -> bool:
    """The facilitator reveals a private or poker step to everyone at once. Returns False if it already was."""
    require_facilitator(step.workshop, user)
    return _reveal(step)


@transaction.atomic
def pick_cast(*, proposal: Proposal, user: User, points: int) -> tuple[WeightPick, bool]:
    """A person's points for a criterion in a poker round (changed freely until the reveal). When it makes the
    round complete (see the module), the round is revealed. Returns the pick and whether it revealed the round.

    The workshop's row is locked first, so that two last picks arriving together reveal once, and both count.
    """
    Workshop.objects.select_for_update().filter(pk=proposal.step.workshop_id).first()
    seat = Participant.objects.filter(workshop_id=proposal.step.workshop_id, user=user).first()
    if seat is None or not user.is_active:
        raise PermissionDenied("Only the people invited to this workshop pick points.")
    step = Step.objects.select_related("workshop").get(pk=proposal.step_id)
    if not step.is_open or step.workshop.is_closed:
        raise WorkshopRefused("This step is closed: nothing more can be picked in it.")
    if not step.is_poker:
        raise WorkshopRefused("This step is not a weight poker round.")
    if not step.is_hidden:
        raise WorkshopRefused("The picks are revealed: the round is over.")
    if not poker_criteria(step).filter(pk=proposal.pk).exists():
        raise WorkshopRefused("This criterion is not on the table any more (merged or decided).")
    if points is None or not WEIGHT_MIN <= points <= WEIGHT_MAX:
        raise ValidationError({"points": f"Points from {WEIGHT_MIN} to +{WEIGHT_MAX}."})
    try:
        with transaction.atomic():
            pick, created = WeightPick.objects.update_or_create(
                proposal_id=proposal.pk, voter=user, defaults={"points": points, "voter_team_id": seat.team_id}
            )
    except IntegrityError:
        pick = WeightPick.objects.get(proposal_id=proposal.pk, voter=user)
    workshop_touch(step.workshop_id)
    revealed = poker_state(step).complete and _reveal(step)
    return pick, revealed
