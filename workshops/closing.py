"""Closing a workshop: what was agreed goes into the profile and into a rubric draft, and a summary stays."""

from django.db import transaction
from django.utils import timezone

from profiles.models import ItemStatus
from profiles.services import profile_item_add
from rubrics.editing import criterion_add, criterion_update, draft_create, rubric_create
from rubrics.models import Rubric, RubricVersion, VersionStatus
from teams.models import User

from .access import require_facilitator
from .models import Proposal, ProposalKind, Step, StepStatus, Workshop, WorkshopStatus
from .services import WorkshopRefused
from .summary import summary_build

RUBRIC_NAME = "Fit"


@transaction.atomic
def workshop_close(*, workshop: Workshop, user: User) -> Workshop:
    """Close the workshop.

    1. Every agreed item becomes an agreed profile item, its history noting the workshop.
    2. Every agreed weight goes into a rubric draft of the profile: the profile's first rubric's draft
       (made from its published version if it has none), or a new rubric "Fit" if the profile has none.
       A weight for a criterion the draft already has changes that criterion's points; else it is added.
    3. The steps close and the summary (who came, what was agreed, rejected, left open) is stored.
    """
    workshop = Workshop.objects.select_for_update(of=("self",)).select_related("profile").get(pk=workshop.pk)
    require_facilitator(workshop, user)
    if workshop.is_closed:
        raise WorkshopRefused("The workshop is already closed.")
    agreed = list(
        Proposal.objects.filter(step__workshop=workshop, status=ItemStatus.AGREED)
        .select_related("author")
        .order_by("step__position", "created_at", "id")
    )
    note = f"agreed in workshop “{workshop.title}” (#{workshop.pk})"[:200]
    for proposal in agreed:
        if proposal.kind == ProposalKind.ITEM:
            profile_item_add(
                profile=workshop.profile,
                section=proposal.section,
                text=proposal.text,
                author=proposal.author,
                details=proposal.details,
                status=ItemStatus.AGREED,
                note=note,
            )
    weights = [proposal for proposal in agreed if proposal.kind == ProposalKind.WEIGHT]
    if weights:
        workshop.rubric_version = _weights_into_draft(workshop, weights, user)
    Step.objects.filter(workshop=workshop).exclude(status=StepStatus.CLOSED).update(
        status=StepStatus.CLOSED, timer_started_at=None, timer_ends_at=None
    )
    workshop.status = WorkshopStatus.CLOSED
    workshop.closed_at = timezone.now()
    workshop.version += 1
    workshop.bar_version += 1
    workshop.summary = summary_build(workshop)
    workshop.save(update_fields=["status", "closed_at", "version", "bar_version", "summary", "rubric_version"])
    return workshop


def _draft_for(workshop: Workshop, user: User) -> RubricVersion:
    rubric = Rubric.objects.filter(profile=workshop.profile).order_by("pk").first()
    if rubric is None:
        rubric = rubric_create(profile=workshop.profile, name=RUBRIC_NAME, user=user)
    draft = rubric.versions.filter(status=VersionStatus.DRAFT).first()
    return draft or draft_create(rubric=rubric, user=user)


def _weights_into_draft(workshop: Workshop, weights: list[Proposal], user: User) -> RubricVersion:
    draft = _draft_for(workshop, user)
    existing = {
        (criterion.field, criterion.operator, tuple(str(value) for value in criterion.values)): criterion
        for criterion in draft.criteria.exclude(operator="bands")
    }
    for proposal in weights:
        criterion = existing.get(proposal.criterion_key)
        spec = {
            "field": proposal.criterion_field,
            "operator": proposal.criterion_operator,
            "values": proposal.criterion_values,
            "bands": [],
            "points": proposal.points,
            "revision": draft.revision,
            "user": user,
        }
        if criterion is None:
            existing[proposal.criterion_key] = criterion_add(
                version=draft, group="fit", label=proposal.criterion_label, **spec
            )
        else:
            criterion_update(criterion=criterion, group=criterion.group, label=criterion.label, **spec)
        draft.refresh_from_db(fields=["revision"])
    return draft
