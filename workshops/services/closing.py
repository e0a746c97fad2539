"""Closing a workshop: what was agreed goes into the profile and into a rubric draft, and a summary stays.

The facilitator first sees what the close will write (``close_plan``): the items going into the profile and the
weights going into which rubric draft. The confirmation carries the plan's token; a close whose plan changed
since (someone agreed, rejected or edited meanwhile) is refused with ``ClosePreviewStale`` and nothing written.
A closed workshop can be reopened (``workshop_reopen``) until the rubric draft it wrote is published.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from profiles.models import ItemStatus
from profiles.services.items import profile_item_add
from rubrics.models import RubricVersion, VersionStatus
from rubrics.overlap import rules_overlap, same_rule
from rubrics.selectors import criterion_spec
from rubrics.services.drafts import criterion_add, criterion_update, draft_create, rubric_create
from teams.models import User

from ..access import require_facilitator
from ..models import Privacy, Proposal, ProposalKind, Step, StepStatus, Workshop, WorkshopStatus
from ..selectors import workshop_rubric
from ..summary import summary_build
from .room import WorkshopRefused

RUBRIC_NAME = "Fit"


class ClosePreviewStale(Exception):
    """What the close would write changed after the facilitator saw it; nothing was written."""


@dataclass(frozen=True)
class WeightLine:
    label: str
    rule: str
    points: int
    now: int | None  # the points of the draft's criterion with the same rule (None: added as a new criterion)


@dataclass
class ClosePlan:
    """What closing the workshop now would write."""

    items: list[Proposal] = field(default_factory=list)  # agreed items not in the profile yet
    weights: list[WeightLine] = field(default_factory=list)
    rubric: str = ""  # where the weights go: "Fit v3 (draft)", or what will be made
    token: str = ""


def _agreed(workshop: Workshop) -> list[Proposal]:
    return list(
        Proposal.objects.filter(step__workshop=workshop, status=ItemStatus.AGREED, merged_into__isnull=True)
        .select_related("author")
        .order_by("step__position", "created_at", "id")
    )


def close_plan(workshop: Workshop) -> ClosePlan:
    """What closing would write, read without writing, with a token of it for the confirmation."""
    agreed = _agreed(workshop)
    plan = ClosePlan(items=[p for p in agreed if p.kind == ProposalKind.ITEM and p.profile_item_id is None])
    weights = [p for p in agreed if p.kind == ProposalKind.WEIGHT]
    draft_revision = None
    if weights:
        rubric = workshop_rubric(workshop)
        draft = rubric.versions.filter(status=VersionStatus.DRAFT).first() if rubric else None
        criteria = [criterion_spec(c) for c in draft.criteria.order_by("position", "id")] if draft else []
        if draft is not None:
            plan.rubric, draft_revision = f"{rubric.name} v{draft.number} (its draft)", (draft.pk, draft.revision)
        elif rubric is not None:
            plan.rubric = f"{rubric.name}: a new draft, copied from its published version"
            published = rubric.versions.filter(status=VersionStatus.PUBLISHED).first()
            criteria = [criterion_spec(c) for c in published.criteria.order_by("position", "id")] if published else []
        else:
            plan.rubric = f"a new rubric “{RUBRIC_NAME}” of the profile"
        for proposal in weights:
            same = next((c for c in criteria if same_rule(c, proposal.rule_spec)), None)
            plan.weights.append(
                WeightLine(proposal.criterion_label, proposal.rule, proposal.points, same.points if same else None)
            )
    written = [(p.pk, p.revision, p.status) for p in agreed]
    fingerprint = json.dumps([workshop.pk, written, draft_revision, plan.rubric])
    plan.token = hashlib.sha256(fingerprint.encode()).hexdigest()[:32]
    return plan


@transaction.atomic
def workshop_close(*, workshop: Workshop, user: User, token: str | None = None) -> Workshop:
    """Close the workshop.

    1. Every agreed item becomes an agreed profile item, its history noting the workshop.
    2. Every agreed weight goes into a rubric draft of the profile: the profile's first rubric's draft
       (made from its published version if it has none), or a new rubric "Fit" if the profile has none.
       A weight for a criterion the draft already has (the same rule) changes that criterion's points; else it
       is added, unless it overlaps another criterion (refused: nothing is written).
    3. The steps close (a hidden step is revealed) and the summary (who came, what was agreed, rejected, left
       open) is stored.

    With ``token`` (the confirmation of a preview), a plan that changed since is refused (``ClosePreviewStale``).
    An item a previous close wrote (before a reopen) is not written again.
    """
    workshop = Workshop.objects.select_for_update(of=("self",)).select_related("profile").get(pk=workshop.pk)
    require_facilitator(workshop, user)
    if workshop.is_closed:
        raise WorkshopRefused("The workshop is already closed.")
    if token is not None and token != close_plan(workshop).token:
        raise ClosePreviewStale(
            "What the close would write changed after you saw it (someone agreed, rejected or edited meanwhile). "
            "Nothing was written: check the preview again."
        )
    agreed = _agreed(workshop)
    note = f"agreed in workshop “{workshop.title}” (#{workshop.pk})"[:200]
    for proposal in agreed:
        if proposal.kind == ProposalKind.ITEM and proposal.profile_item_id is None:
            item = profile_item_add(
                profile=workshop.profile,
                section=proposal.section,
                text=proposal.text,
                author=proposal.author,
                details=proposal.details,
                status=ItemStatus.AGREED,
                note=note,
            )
            Proposal.objects.filter(pk=proposal.pk).update(profile_item=item)
    weights = [proposal for proposal in agreed if proposal.kind == ProposalKind.WEIGHT]
    if weights:
        workshop.rubric_version = _weights_into_draft(workshop, weights, user)
    Step.objects.filter(workshop=workshop).exclude(status=StepStatus.CLOSED).update(
        status=StepStatus.CLOSED, timer_started_at=None, timer_ends_at=None
    )
    now = timezone.now()
    Step.objects.filter(workshop=workshop, revealed_at__isnull=True).exclude(privacy=Privacy.OPEN).update(
        revealed_at=now
    )
    workshop.status = WorkshopStatus.CLOSED
    workshop.closed_at = now
    workshop.version += 1
    workshop.bar_version += 1
    workshop.summary = summary_build(workshop)
    workshop.save(update_fields=["status", "closed_at", "version", "bar_version", "summary", "rubric_version"])
    return workshop


def reopen_blocker(workshop: Workshop) -> str:
    """Why the workshop cannot be reopened ("" when it can)."""
    if not workshop.is_closed:
        return "The workshop is not closed."
    version = workshop.rubric_version
    if version is not None and version.status != VersionStatus.DRAFT:
        return (
            f"The rubric draft it wrote ({version}) is {version.get_status_display().lower()}: the workshop's "
            "outcome is in use, so it stays closed. Run a new workshop to change it."
        )
    return ""


@transaction.atomic
def workshop_reopen(*, workshop: Workshop, user: User) -> Workshop:
    """Reopen a closed workshop, keeping everything agreed (and its steps closed: the facilitator opens one).

    Refused once the rubric draft it wrote is published. What the close wrote stays in the profile and the draft;
    closing again writes only what is new (and the weights again, into the same draft).
    """
    workshop = Workshop.objects.select_for_update(of=("self",)).select_related("rubric_version").get(pk=workshop.pk)
    require_facilitator(workshop, user)
    if not workshop.is_closed:
        return workshop
    blocker = reopen_blocker(workshop)
    if blocker:
        raise WorkshopRefused(blocker)
    Workshop.objects.filter(pk=workshop.pk).update(
        status=WorkshopStatus.RUNNING,
        closed_at=None,
        version=F("version") + 1,
        bar_version=F("bar_version") + 1,
    )
    workshop.refresh_from_db()
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
