"""The agenda of a workshop: adding, renaming, moving and removing steps, and running a step's timer.

Every agenda change claims the workshop's ``agenda_revision`` with one conditional UPDATE (``WHERE
agenda_revision = what the facilitator's form showed``), which also bumps ``version`` so every screen
polling the workshop shows the new agenda. A form loaded before another change, or the second request
of a double click, claims nothing and gets ``AgendaChangedMeanwhile``: nothing is written. The claim
also holds the workshop's row until the transaction ends, so two agenda changes never interleave.

The timer is not an agenda change: the facilitator starts it on an open step for the step's planned
duration (or the minutes given), the server stores when it started and ends, and every screen counts
down to that end. Time up is shown; it never closes the step.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Max, Value, When
from django.utils import timezone

from profiles.models import Section
from teams.models import User

from ..access import require_facilitator
from ..models import TIMER_LIMIT_MINUTES, Step, StepKind, Workshop, WorkshopStatus
from .room import WorkshopRefused, workshop_touch

TITLE_LIMIT = 200
DIRECTIONS = ("up", "down")


class AgendaChangedMeanwhile(WorkshopRefused):
    """The agenda changed after the facilitator loaded it (another tab, or a double click)."""

    def __init__(self):
        super().__init__(
            "The agenda changed after you loaded it (in another window, or a second click): nothing was changed. "
            "Here it is as it is now."
        )


def _claim(workshop: Workshop, agenda_revision: int) -> Workshop:
    """Take the agenda at the revision the person saw, or refuse: closed, or changed meanwhile."""
    claimed = (
        Workshop.objects.filter(pk=workshop.pk, agenda_revision=agenda_revision)
        .exclude(status=WorkshopStatus.CLOSED)
        .update(agenda_revision=F("agenda_revision") + 1, version=F("version") + 1, bar_version=F("bar_version") + 1)
    )
    current = Workshop.objects.get(pk=workshop.pk)
    if current.is_closed:
        raise WorkshopRefused("The workshop is closed: its agenda stays as it was.")
    if not claimed:
        raise AgendaChangedMeanwhile()
    return current


def _title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Give the step a title."})
    if len(title) > TITLE_LIMIT:
        raise ValidationError({"title": f"At most {TITLE_LIMIT} characters."})
    return title


def _minutes(minutes: int | None, *, name: str = "duration_minutes") -> int | None:
    if minutes is not None and not 1 <= minutes <= TIMER_LIMIT_MINUTES:
        raise ValidationError({name: f"Between 1 and {TIMER_LIMIT_MINUTES} minutes (or none)."})
    return minutes


def _sections(kind: str, sections) -> list[str]:
    """An items step's profile sections, in the profile's order; a weights step has none."""
    if kind not in StepKind.values:
        raise ValidationError({"kind": "Profile items or criterion weights."})
    chosen = {str(section) for section in sections or ()}
    if kind == StepKind.WEIGHTS:
        if chosen:
            raise ValidationError({"sections": "A weights step is about rubric criteria, not profile sections."})
        return []
    unknown = chosen - set(Section.values)
    if unknown:
        raise ValidationError({"sections": "Choose the sections from the list."})
    if not chosen:
        raise ValidationError({"sections": "Choose at least one profile section for people to propose items in."})
    return [section for section in Section.values if section in chosen]


def _renumber(workshop: Workshop, ordered: list[int]) -> None:
    """Give the steps ``ordered`` (ids) the positions 0, 1, 2...

    In two statements, because (workshop, position) is unique and checked row by row: first every step
    moves above the highest position, then each takes its place, which no other row holds any more.
    """
    steps = Step.objects.filter(workshop=workshop)
    above = (steps.aggregate(top=Max("position"))["top"] or 0) + 1
    steps.update(position=F("position") + above)
    steps.filter(pk__in=ordered).update(
        position=Case(*(When(pk=pk, then=Value(index)) for index, pk in enumerate(ordered)))
    )


def _agenda_step(step: Step, workshop: Workshop) -> Step:
    current = Step.objects.filter(pk=step.pk, workshop=workshop).first()
    if current is None:
        raise WorkshopRefused("This step is no longer on the agenda.")
    return current


@transaction.atomic
def step_add(
    *,
    workshop: Workshop,
    user: User,
    agenda_revision: int,
    title: str,
    kind: str = StepKind.ITEMS,
    sections=(),
    duration_minutes: int | None = None,
) -> Step:
    """Add a step at the end of the agenda: profile items in ``sections``, or criterion weights."""
    require_facilitator(workshop, user)
    fields = {
        "title": _title(title),
        "kind": kind,
        "sections": _sections(kind, sections),
        "duration_minutes": _minutes(duration_minutes),
    }
    current = _claim(workshop, agenda_revision)
    top = current.steps.aggregate(top=Max("position"))["top"]
    return Step.objects.create(workshop=current, position=0 if top is None else top + 1, **fields)


@transaction.atomic
def step_update(
    *, step: Step, user: User, agenda_revision: int, title: str, duration_minutes: int | None = None
) -> Step:
    """Rename a step and set (or clear) its planned duration; a running timer keeps its end."""
    workshop = step.workshop
    require_facilitator(workshop, user)
    changes = {"title": _title(title), "duration_minutes": _minutes(duration_minutes)}
    _claim(workshop, agenda_revision)
    current = _agenda_step(step, workshop)
    Step.objects.filter(pk=current.pk).update(**changes)
    current.refresh_from_db()
    return current


@transaction.atomic
def step_move(*, step: Step, user: User, agenda_revision: int, direction: str) -> Step:
    """Move a step one place up or down the agenda."""
    workshop = step.workshop
    require_facilitator(workshop, user)
    if direction not in DIRECTIONS:
        raise ValidationError({"direction": "Move it up or down."})
    current = _claim(workshop, agenda_revision)
    ordered = list(current.steps.order_by("position").values_list("pk", flat=True))
    moved = _agenda_step(step, workshop)
    index = ordered.index(moved.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        raise ValidationError({"direction": f"“{moved.title}” is already the {'first' if other < 0 else 'last'} step."})
    ordered[index], ordered[other] = ordered[other], ordered[index]
    _renumber(current, ordered)
    moved.refresh_from_db()
    return moved


@transaction.atomic
def step_remove(*, step: Step, user: User, agenda_revision: int) -> None:
    """Take a step off the agenda: only one nobody has proposed anything in, not the open one, not the last."""
    workshop = step.workshop
    require_facilitator(workshop, user)
    current = _claim(workshop, agenda_revision)
    removed = _agenda_step(step, workshop)
    if removed.proposals.exists():
        raise WorkshopRefused(f"“{removed.title}” has proposals: it stays on the agenda (close it instead).")
    if removed.is_open:
        raise WorkshopRefused(f"“{removed.title}” is open: close it before taking it off the agenda.")
    if current.steps.count() == 1:
        raise WorkshopRefused("A workshop keeps at least one step.")
    removed.delete()
    _renumber(current, list(current.steps.order_by("position").values_list("pk", flat=True)))


@transaction.atomic
def step_timer_start(*, step: Step, user: User, minutes: int | None = None) -> tuple[Step, bool]:
    """Start the open step's countdown: ``minutes``, or the step's planned duration.

    Returns the step and whether this call started it: a timer already counting down keeps its end (a
    double click starts it once; to start again, stop it first).
    """
    require_facilitator(step.workshop, user)
    current = Step.objects.select_for_update().select_related("workshop").get(pk=step.pk)
    if current.workshop.is_closed:
        raise WorkshopRefused("The workshop is closed.")
    if not current.is_open:
        raise WorkshopRefused("Open the step before starting its timer.")
    minutes = _minutes(minutes if minutes is not None else current.duration_minutes, name="minutes")
    if minutes is None:
        raise ValidationError({"minutes": "How many minutes? This step has no planned duration."})
    if current.timer_running:
        return current, False
    now = timezone.now()
    Step.objects.filter(pk=current.pk).update(
        timer_started_at=now, timer_ends_at=now + datetime.timedelta(minutes=minutes)
    )
    workshop_touch(current.workshop_id, bar=True)
    current.refresh_from_db()
    return current, True


@transaction.atomic
def step_timer_stop(*, step: Step, user: User) -> Step:
    """Stop (and clear) the step's countdown; without one, nothing happens."""
    require_facilitator(step.workshop, user)
    stopped = Step.objects.filter(pk=step.pk, timer_ends_at__isnull=False).update(
        timer_started_at=None, timer_ends_at=None
    )
    if stopped:
        workshop_touch(step.workshop_id, bar=True)
    step.refresh_from_db()
    return step
