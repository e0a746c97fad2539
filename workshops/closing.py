"""Closing a workshop: what was agreed goes into the profile and into a rubric draft, and a summary stays."""

from django.db import transaction
from django.utils import timezone

from profiles.models import ItemStatus
from profiles.services import profile_item_add
from rubrics.models import RubricVersion, VersionStatus
from rubrics.overlap import rules_overlap, same_rule
from rubrics.selectors import criterion_spec
from rubrics.services.drafts import criterion_add, criterion_update, draft_create, rubric_create
from teams.models import User

from .access import require_facilitator
from .models import Proposal, ProposalKind, Step, StepStatus, Workshop, WorkshopStatus
from .selectors import workshop_rubric
from .services import WorkshopRefused
from .summary import summary_build

RUBRIC_NAME = "Fit"


@transaction.atomic
def workshop_close(*, workshop: Workshop, user: User) -> Workshop:
    """Close the workshop.

    1. Every agreed item becomes an agreed profile item, its history noting the workshop.
    2. Every agreed weight goes into a rubric draft of the profile: the profile's first rubric's draft
       (made from its published version if it has none), or a new rubric "Fit" if the profile has none.
       A weight for a criterion the draft already has (the same rule) changes that criterion's points; else it
       is added, unless it overlaps another criterion (refused: nothing is written).
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
    rubric = workshop_rubric(workshop)
    if rubric is None:
        rubric = rubric_create(profile=workshop.profile, name=RUBRIC_NAME, user=user)
    draft = rubric.versions.filter(status=VersionStatus.DRAFT).first()
    return draft or draft_create(rubric=rubric, user=user)


def _weights_into_draft(workshop: Workshop, weights: list[Proposal], user: User) -> RubricVersion:
    """Each agreed weight changes the points of the draft's criterion with the same rule, or is added as a new
    criterion; one that would score some of a different criterion's customers twice stops the closing."""
    draft = _draft_for(workshop, user)
    criteria = list(draft.criteria.order_by("position", "id"))
    for proposal in weights:
        rule = proposal.rule_spec
        same = next((criterion for criterion in criteria if same_rule(criterion_spec(criterion), rule)), None)
        if same is not None:
            criterion_update(
                criterion=same,
                field=same.field,
                operator=same.operator,
                values=list(same.values),
                bands=list(same.bands),
                points=proposal.points,
                group=same.group,
                label=same.label,
                revision=draft.revision,
                user=user,
            )
        else:
            clash = next((c for c in criteria if rules_overlap(criterion_spec(c), rule)), None)
            if clash is not None:
                raise WorkshopRefused(
                    f"The agreed weight “{proposal.criterion_label}” ({proposal.rule}) would score some customers "
                    f"of “{clash}” in the rubric draft (version {draft.number}) a second time. Put it back to "
                    "proposed, or change that criterion in the draft, then close again. Nothing was written."
                )
            criteria.append(
                criterion_add(
                    version=draft,
                    field=proposal.criterion_field,
                    operator=proposal.criterion_operator,
                    values=proposal.criterion_values,
                    bands=[],
                    points=proposal.points,
                    group="fit",
                    label=proposal.criterion_label,
                    revision=draft.revision,
                    user=user,
                )
            )
        draft.refresh_from_db(fields=["revision"])
    return draft
