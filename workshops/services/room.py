"""Writes of a workshop's room: the workshop, its participants, steps, proposals, votes and comments. Each one:

1. checks who may do it (``PermissionDenied``, 403 in the views) and that the step or workshop is still open
   (``WorkshopRefused``, nothing written);
2. writes, in one transaction;
3. bumps the workshop's ``version``, so every screen polling it fetches the change (see workshops/live.py).

Changing the agenda and running a step's timer are in agenda.py; closing the workshop (closing.py) turns what
was agreed into profile items and a rubric draft (both beside this module, in services/).
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ops.jobs import job_send
from profiles.models import ChecklistStep, ItemStatus, Profile, Section
from profiles.sections import details_clean, details_summary
from rubrics.evidence import criterion_evidence
from rubrics.overlap import rules_overlap
from teams.models import User

from ..access import (
    FACILITATING_ROLES,
    is_facilitator,
    require_act,
    require_facilitator,
    require_proposal_visible,
)
from ..models import (
    WEIGHT_MAX,
    WEIGHT_MIN,
    Comment,
    Participant,
    Proposal,
    ProposalChange,
    ProposalKind,
    Step,
    StepKind,
    StepStatus,
    Vote,
    Voting,
    Workshop,
    WorkshopStatus,
)
from ..selectors import rubric_now
from ..weights import existing_weight, new_weight

TEXT_LIMIT = 2000
INVITATION_WAITING = "The invitation emails are sent when the job queue is back."

# The default agenda: the profile checklist's steps, each with the sections people propose items for.
AGENDA_SECTIONS = {
    ChecklistStep.DATA_GATHERED: [Section.FIRMOGRAPHICS, Section.GEOGRAPHY],
    ChecklistStep.COMMONALITIES: [Section.CHARACTERISTICS, Section.ATTITUDES, Section.INTERESTS],
    ChecklistStep.SEGMENTS: [
        Section.PERSONAS,
        Section.VALUE_PROPOSITION,
        Section.MESSAGING_MATRIX,
        Section.CHANNELS,
    ],
    ChecklistStep.PAIN_POINTS: [Section.PAIN_POINTS, Section.OBJECTIONS, Section.DISQUALIFIERS],
    ChecklistStep.NEEDS: [Section.NEEDS, Section.MOTIVATIONS, Section.TRIGGERS],
    ChecklistStep.SCORING: [],
}


class WorkshopRefused(Exception):
    """The rules do not allow this now (closed step, no dots left, already decided); nothing was written."""


class ProposalChangedMeanwhile(Exception):
    """Someone changed the proposal after the person loaded it; their edit was not saved."""

    def __init__(self, proposal: Proposal):
        self.proposal = proposal
        super().__init__("Someone else changed this proposal after you opened it. Your edit was not saved.")


def workshop_touch(workshop_id: int, *, bar: bool = False) -> None:
    """Tell every screen polling the workshop that something changed; with ``bar``, the step bar too
    (a step opened or closed, a timer started or stopped)."""
    changes = {"version": F("version") + 1}
    if bar:
        changes["bar_version"] = F("bar_version") + 1
    Workshop.objects.filter(pk=workshop_id).update(**changes)


def _text(value: str, *, name: str = "text", required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({name: "Write something."})
    if len(value) > TEXT_LIMIT:
        raise ValidationError({name: f"At most {TEXT_LIMIT} characters."})
    return value


def _open_step(step_id: int, *, prework: bool = False) -> Step:
    """The step as it is now, refused unless it is open in a running workshop (with ``prework``, one not opened
    yet is taken too: people invited propose before the meeting)."""
    step = Step.objects.select_related("workshop").get(pk=step_id)
    if step.workshop.is_closed or not (step.is_open or (prework and step.is_pending)):
        if step.is_pending:
            raise WorkshopRefused("This step has not started yet: votes and comments wait until it opens.")
        raise WorkshopRefused("This step is closed: nothing more can be proposed, changed or voted on in it.")
    return step


def _not_merged(proposal: Proposal) -> None:
    if proposal.merged_into_id is not None:
        raise WorkshopRefused("This proposal was merged into another: that one is voted on and decided.")


@transaction.atomic
def workshop_create(
    *,
    profile: Profile,
    title: str,
    facilitator: User,
    invitees: Iterable[User] = (),
    voting: str = Voting.DOTS,
    dots_per_step: int = 3,
    anonymous_votes: bool = False,
    base_url: str = "",
) -> Workshop:
    """A workshop on ``profile`` with the default agenda (the checklist's steps, scoring last)."""
    if facilitator.role not in FACILITATING_ROLES:
        raise PermissionDenied("Facilitators and admins run workshops.")
    title = _text(title, name="title")
    if voting not in Voting.values:
        raise ValidationError({"voting": "Choose how people vote."})
    if not 1 <= dots_per_step <= 20:
        raise ValidationError({"dots_per_step": "Between 1 and 20 dots per person per step."})
    workshop = Workshop.objects.create(
        profile=profile,
        title=title,
        facilitator=facilitator,
        voting=voting,
        dots_per_step=dots_per_step,
        anonymous_votes=anonymous_votes,
    )
    Step.objects.bulk_create(
        Step(
            workshop=workshop,
            position=position,
            title=label,
            kind=StepKind.WEIGHTS if step == ChecklistStep.SCORING else StepKind.ITEMS,
            sections=[str(section) for section in AGENDA_SECTIONS[step]],
        )
        for position, (step, label) in enumerate(ChecklistStep.choices)
    )
    participants_invite(workshop=workshop, users=invitees, user=facilitator, base_url=base_url)
    return workshop


@transaction.atomic
def participants_invite(*, workshop: Workshop, users: Iterable[User], user: User, base_url: str = "") -> int:
    """Invite people (each with their team as it is now); someone invited twice is invited once.

    With ``base_url`` (the site's address), each new person gets an email with the workshop's link, from which
    they can propose in the steps not opened yet (pre-work). Returns how many are new in the workshop (0 for a
    double submit).
    """
    require_facilitator(workshop, user)
    if Workshop.objects.filter(pk=workshop.pk, status=WorkshopStatus.CLOSED).exists():
        raise WorkshopRefused("The workshop is closed: nobody more can join it.")
    seats = [
        Participant(workshop=workshop, user=person, team_id=person.team_id)
        for person in users
        if person.pk != workshop.facilitator_id and person.is_active
    ]
    before = set(workshop.participants.values_list("user_id", flat=True))
    Participant.objects.bulk_create(seats, ignore_conflicts=True)
    workshop_touch(workshop.pk)
    new = sorted(set(workshop.participants.values_list("user_id", flat=True)) - before)
    if new and base_url:
        job_send("workshops.tasks.workshop_invitations_email", workshop.pk, new, base_url, waiting=INVITATION_WAITING)
    return len(new)


def participant_has_acted(*, workshop: Workshop, person: User) -> bool:
    """Whether the person proposed, voted or commented in the workshop."""
    return (
        Proposal.objects.filter(author=person, step__workshop=workshop).exists()
        or Vote.objects.filter(voter=person, proposal__step__workshop=workshop).exists()
        or Comment.objects.filter(author=person, proposal__step__workshop=workshop).exists()
    )


@transaction.atomic
def participant_remove(*, workshop: Workshop, person: User, user: User) -> bool:
    """Take back the invitation of someone who has not proposed, voted or commented yet.

    Their seat is locked first, as vote_cast locks it, so a vote cannot slip in between the check and the
    removal. Returns False when the person was not (or no longer) invited: a double submit changes nothing.
    """
    require_facilitator(workshop, user)
    if Workshop.objects.filter(pk=workshop.pk, status=WorkshopStatus.CLOSED).exists():
        raise WorkshopRefused("The workshop is closed: who was in it stays in its summary.")
    seat = Participant.objects.select_for_update().filter(workshop=workshop, user=person).order_by().first()
    if seat is None:
        return False
    if participant_has_acted(workshop=workshop, person=person):
        raise WorkshopRefused(
            f"{person.display_name} has already proposed, voted or commented here: their invitation stays."
        )
    seat.delete()
    workshop_touch(workshop.pk)
    return True


def participant_seen(*, workshop: Workshop, user: User) -> None:
    """Note that an invited person opened the workshop (the summary's "who came")."""
    now = timezone.now()
    joined = Participant.objects.filter(workshop=workshop, user=user, joined_at__isnull=True).update(
        joined_at=now, last_seen_at=now
    )
    if joined:
        workshop_touch(workshop.pk)
    else:
        Participant.objects.filter(workshop=workshop, user=user).update(last_seen_at=now)


@transaction.atomic
def step_open(*, step: Step, user: User) -> Step:
    """Open a step (the one open before it closes): the workshop is running."""
    workshop = Workshop.objects.select_for_update().get(pk=step.workshop_id)
    require_facilitator(workshop, user)
    if workshop.is_closed:
        raise WorkshopRefused("The workshop is closed.")
    workshop.steps.filter(status=StepStatus.OPEN).exclude(pk=step.pk).update(
        status=StepStatus.CLOSED, timer_started_at=None, timer_ends_at=None
    )
    Step.objects.filter(pk=step.pk).update(status=StepStatus.OPEN)
    if workshop.status == WorkshopStatus.DRAFT:
        Workshop.objects.filter(pk=workshop.pk).update(status=WorkshopStatus.RUNNING)
    workshop_touch(workshop.pk, bar=True)
    step.refresh_from_db()
    return step


@transaction.atomic
def step_close(*, step: Step, user: User) -> Step:
    require_facilitator(step.workshop, user)
    Step.objects.filter(pk=step.pk).update(status=StepStatus.CLOSED, timer_started_at=None, timer_ends_at=None)
    workshop_touch(step.workshop_id, bar=True)
    step.refresh_from_db()
    return step


@transaction.atomic
def proposal_add(
    *,
    step: Step,
    user: User,
    text: str = "",
    section: str = "",
    details: dict | None = None,
    field: str = "",
    operator: str = "",
    values: list | None = None,
    points: int | None = None,
    label: str = "",
    criterion_id: int | None = None,
) -> Proposal:
    """Propose an item for one of the step's sections, or (in a weights step) a criterion and its points.

    ``text`` is plain text: the item itself, or why the weight. An item of a structured section may carry
    its parts (``details``, checked by profiles.sections.details_clean); its text may then stay empty and
    is made from them (the matrix row in one line, the persona's title).

    A weight changes the points of a criterion the workshop's rubric scores with today (``criterion_id``, or
    the same rule typed anew), or adds a new criterion that overlaps none of its criteria; it keeps what the
    base says about its rule (rubrics.evidence).
    """
    require_act(step.workshop, user)
    step = _open_step(step.pk, prework=True)
    if step.is_weights:
        now = rubric_now(step.workshop)
        if criterion_id is not None:
            weight = existing_weight(now, criterion_id, points)
        else:
            weight = new_weight(now, field=field, operator=operator, values=values or [], points=points, label=label)
        fields = {"text": _text(text, required=False), "kind": ProposalKind.WEIGHT, **weight}
    else:
        if section not in step.sections:
            raise ValidationError({"section": "Choose one of this step's sections."})
        details = details_clean(section, details)
        text = _text((text or "").strip() or details_summary(section, details))
        fields = {"text": text, "details": details, "kind": ProposalKind.ITEM, "section": section}
    proposal = Proposal(step=step, author=user, author_team_id=user.team_id, prework=step.is_pending, **fields)
    if proposal.is_weight:
        proposal.evidence = criterion_evidence(proposal.rule_spec).snapshot()
    proposal.save()
    workshop_touch(step.workshop_id)
    return proposal


@transaction.atomic
def proposal_edit(
    *,
    proposal: Proposal,
    user: User,
    revision: int,
    text: str,
    points: int | None = None,
    details: dict | None = None,
) -> Proposal:
    """Change a proposal's text (with an item's parts, or a weight's points) if it is still the revision the
    person loaded.

    Only its author or the facilitator edits it (anyone else: ``PermissionDenied``). The claim is one conditional
    UPDATE (``WHERE revision = loaded``): of two people saving at once, the later one changes nothing and gets
    ``ProposalChangedMeanwhile`` with the text as it is now. Each saved edit adds a line to the proposal's
    history; an edit by the facilitator of someone else's proposal is marked on the card (``edited_by``).
    """
    require_proposal_editor(proposal, user)
    step = _open_step(proposal.step_id, prework=True)
    _not_merged(proposal)
    if proposal.is_weight:
        changes = {"text": _text(text, required=False)}
    else:
        changes = {"details": proposal.details if details is None else details_clean(proposal.section, details)}
        changes["text"] = _text((text or "").strip() or details_summary(proposal.section, changes["details"]))
    if proposal.is_weight:
        if points is None or not WEIGHT_MIN <= points <= WEIGHT_MAX:
            raise ValidationError({"points": f"Points from {WEIGHT_MIN} to +{WEIGHT_MAX}."})
        changes["points"] = points
    before = Proposal.objects.get(pk=proposal.pk)
    if user.pk != before.author_id:
        changes["edited_by"] = user
    claimed = Proposal.objects.filter(pk=proposal.pk, revision=revision, status=ItemStatus.PROPOSED).update(
        revision=F("revision") + 1, updated_at=timezone.now(), **changes
    )
    current = Proposal.objects.get(pk=proposal.pk)
    if not claimed:
        if current.status != ItemStatus.PROPOSED:
            raise WorkshopRefused(f"This proposal is already {current.get_status_display().lower()}.")
        raise ProposalChangedMeanwhile(current)
    _history_of_edit(before, current, user)
    workshop_touch(step.workshop_id)
    return current


def require_proposal_editor(proposal: Proposal, user: User) -> None:
    """Only a proposal's author (still invited) or the workshop's facilitator changes its text or points."""
    workshop = proposal.step.workshop
    require_act(workshop, user)
    if proposal.author_id != user.pk and not is_facilitator(workshop, user):
        raise PermissionDenied("Only the author of this proposal, or the facilitator, changes it.")
    if proposal.author_id != user.pk and proposal.step.is_hidden:
        raise PermissionDenied("This step is hidden until the reveal: only the author changes a proposal before it.")


def _history_of_edit(before: Proposal, after: Proposal, user: User) -> None:
    by_facilitator = is_facilitator(after.step.workshop, user)
    lines = []
    if before.text != after.text or before.details != after.details:
        lines.append(("changed the text", before.text, after.text))
    if before.points != after.points:
        lines.append(("changed the points", f"{before.points:+d}", f"{after.points:+d}"))
    ProposalChange.objects.bulk_create(
        ProposalChange(proposal=after, by=user, by_facilitator=by_facilitator, what=what, before=old, after=new)
        for what, old, new in lines
    )


@transaction.atomic
def vote_cast(*, proposal: Proposal, user: User, value: int = 1) -> Vote:
    """A dot (+1), or agree (+1) / disagree (-1): one vote per person and proposal.

    1. The person's seat is locked, so their votes are counted one at a time.
    2. A vote the person already gave is returned as it is (a double click is one vote); a changed
       agree/disagree is updated.
    3. A new dot beyond the person's dots in this step is refused.
    4. Two identical requests racing past 2. meet the unique constraint: the second returns the first's vote.
    """
    seat = (
        Participant.objects.select_for_update()
        .filter(workshop_id=proposal.step.workshop_id, user=user)
        .order_by()
        .first()
    )
    if seat is None or not user.is_active:
        raise PermissionDenied("Only the people invited to this workshop vote.")
    step = _open_step(proposal.step_id)
    workshop = step.workshop
    proposal = Proposal.objects.get(pk=proposal.pk)
    require_proposal_visible(proposal, step, user)
    _not_merged(proposal)
    if proposal.status != ItemStatus.PROPOSED:
        raise WorkshopRefused(f"This proposal is already {proposal.get_status_display().lower()}.")
    if value not in ((1,) if workshop.uses_dots else (1, -1)):
        raise ValidationError({"value": "Not a vote this workshop takes."})
    existing = Vote.objects.filter(proposal=proposal, voter=user).first()
    if existing is not None:
        if existing.value != value:
            Vote.objects.filter(pk=existing.pk).update(value=value)
            existing.value = value
            workshop_touch(workshop.pk)
        return existing
    if workshop.uses_dots:
        spent = Vote.objects.filter(voter=user, proposal__step=step).count()
        if spent >= workshop.dots_per_step:
            raise WorkshopRefused(
                f"You have placed all your {workshop.dots_per_step} dots in this step: take one back first."
            )
    try:
        with transaction.atomic():
            vote = Vote.objects.create(proposal=proposal, voter=user, voter_team_id=seat.team_id, value=value)
    except IntegrityError:
        return Vote.objects.get(proposal=proposal, voter=user)
    workshop_touch(workshop.pk)
    return vote


@transaction.atomic
def vote_withdraw(*, proposal: Proposal, user: User) -> None:
    """Take one's vote (or dot) back while the step is open; without a vote, nothing happens."""
    require_act(proposal.step.workshop, user)
    step = _open_step(proposal.step_id)
    require_proposal_visible(proposal, step, user)
    deleted, _ = Vote.objects.filter(proposal=proposal, voter=user).delete()
    if deleted:
        workshop_touch(step.workshop_id)


@transaction.atomic
def comment_add(*, proposal: Proposal, user: User, text: str) -> Comment:
    require_act(proposal.step.workshop, user)
    step = _open_step(proposal.step_id)
    require_proposal_visible(proposal, step, user)
    _not_merged(proposal)
    comment = Comment.objects.create(
        proposal=proposal, author=user, author_team_id=user.team_id, text=_text(text, name="text")
    )
    workshop_touch(step.workshop_id)
    return comment


@transaction.atomic
def proposal_decide(*, proposal: Proposal, user: User, status: str) -> Proposal:
    """The facilitator marks a proposal agreed, rejected, or open again.

    One weight per criterion is agreed: agreeing on one puts any other agreed weight for the same criterion
    (or one scoring some of the same customers) in this workshop back to proposed.
    """
    workshop = proposal.step.workshop
    require_facilitator(workshop, user)
    if workshop.is_closed:
        raise WorkshopRefused("The workshop is closed.")
    if status not in ItemStatus.values:
        raise ValidationError({"status": "Agreed, rejected or proposed."})
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _not_merged(proposal)
    if proposal.is_weight and status == ItemStatus.AGREED:
        others = Proposal.objects.filter(
            step__workshop=workshop, kind=ProposalKind.WEIGHT, status=ItemStatus.AGREED
        ).exclude(pk=proposal.pk)
        same = [other.pk for other in others if rules_overlap(other.rule_spec, proposal.rule_spec)]
        Proposal.objects.filter(pk__in=same).update(status=ItemStatus.PROPOSED, revision=F("revision") + 1)
    Proposal.objects.filter(pk=proposal.pk).update(status=status, revision=F("revision") + 1)
    workshop_touch(workshop.pk)
    proposal.refresh_from_db()
    return proposal
