"""Writes of the analytics pages: a suggested criterion sent to a rubric draft or to a workshop.

Both go through the owning app's services (rubrics.services.drafts.criterion_add, workshops.services.room.proposal_add),
so the same rules and checks apply as in the editor and the workshop. Both are safe to submit twice: the
rubric (or workshop) row is locked first, and a criterion already in the draft (a proposal the same person
already made in the workshop's scoring step) is returned instead of being added again.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from rubrics.locks import rubric_lock
from rubrics.models import Criterion, Rubric, RubricVersion, VersionStatus
from rubrics.services.drafts import criterion_add, draft_create
from teams.models import User
from workshops.models import Proposal, ProposalKind, StepKind, Workshop
from workshops.services.room import WorkshopRefused, proposal_add

from .suggestions import Suggestion


def _key(field: str, operator: str, values) -> tuple:
    return (field, operator, tuple(sorted(str(value) for value in values or ())))


@transaction.atomic
def suggestion_send_to_rubric(
    *, rubric: Rubric, suggestion: Suggestion, points: int, user: User
) -> tuple[RubricVersion, Criterion, bool]:
    """Add the suggestion to the rubric's draft (made from the published version if there is none).

    Returns (draft, criterion, created): ``created`` is False when the draft already had this rule.
    """
    rubric_lock(rubric.pk)  # one sender at a time: a double submit adds once
    draft = rubric.versions.filter(status=VersionStatus.DRAFT).first() or draft_create(rubric=rubric, user=user)
    wanted = _key(suggestion.field, suggestion.operator, suggestion.values)
    for criterion in draft.criteria.all():
        if _key(criterion.field, criterion.operator, criterion.values) == wanted:
            return draft, criterion, False
    if not draft.min_points <= points <= draft.max_points:
        raise ValidationError({"points": f"This draft takes points from {draft.min_points} to {draft.max_points}."})
    criterion = criterion_add(
        version=draft,
        field=suggestion.field,
        operator=suggestion.operator,
        values=list(suggestion.values),
        bands=[],
        points=points,
        group=suggestion.group,
        label=suggestion.label,
        revision=draft.revision,
        user=user,
    )
    return draft, criterion, True


@transaction.atomic
def suggestion_send_to_workshop(
    *, workshop: Workshop, suggestion: Suggestion, points: int, user: User, why: str = ""
) -> tuple[Proposal, bool]:
    """Propose the suggestion as a criterion weight in the workshop's scoring step, as ``user``.

    Returns (proposal, created): ``created`` is False when the person already proposed this rule there.
    The workshop's own rules apply: only its facilitator and the people invited propose, and only while
    the scoring step is open (``PermissionDenied``, ``WorkshopRefused``).
    """
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)  # a double submit proposes once
    step = workshop.steps.filter(kind=StepKind.WEIGHTS).order_by("position").first()
    if step is None:
        raise WorkshopRefused("This workshop has no scoring step to propose criteria in.")
    wanted = _key(suggestion.field, suggestion.operator, suggestion.values)
    mine = Proposal.objects.filter(step=step, author=user, kind=ProposalKind.WEIGHT)
    for proposal in mine:
        if _key(proposal.criterion_field, proposal.criterion_operator, proposal.criterion_values) == wanted:
            return proposal, False
    proposal = proposal_add(
        step=step,
        user=user,
        text=why or suggestion.evidence,
        field=suggestion.field,
        operator=suggestion.operator,
        values=list(suggestion.values),
        points=points,
        label=suggestion.label,
    )
    return proposal, True
