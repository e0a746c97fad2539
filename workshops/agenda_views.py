"""The facilitator's agenda editor: add, rename (and plan the minutes of), move and remove steps.

Every form carries the agenda's revision (see services/agenda.py). htmx gets the editor back (400 with the form's
messages, 409 when the agenda changed meanwhile or the change is not allowed); a plain post is
redirected to the editor, or gets the editor with the message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from ops.forms import service_errors_add
from teams.access import role_required
from teams.models import Role

from . import access
from .forms import AgendaRevisionForm, StepAddForm, StepForm, StepMoveForm
from .models import TIMER_LIMIT_MINUTES, Step, Workshop
from .services.agenda import step_add, step_move, step_remove, step_update
from .services.room import WorkshopRefused

FACILITATORS = (Role.ADMIN, Role.FACILITATOR)
MOVES = [("up", "↑", "up"), ("down", "↓", "down")]  # (direction, button, its label for screen readers)


def _workshop(request, workshop_id) -> Workshop:
    workshop = get_object_or_404(Workshop.objects.select_related("profile", "facilitator"), pk=workshop_id)
    access.require_facilitator(workshop, request.user)
    return workshop


def _agenda_step(request, step_id) -> Step:
    step = get_object_or_404(Step.objects.select_related("workshop__profile", "workshop__facilitator"), pk=step_id)
    access.require_facilitator(step.workshop, request.user)
    return step


def _step_form(step: Step, workshop: Workshop, data=None) -> StepForm:
    initial = {"title": step.title, "duration_minutes": step.duration_minutes}
    return StepForm(data, initial=initial | {"agenda_revision": workshop.agenda_revision}, prefix=f"step{step.pk}")


def _editor(
    request,
    workshop_id: int,
    *,
    status: int = 200,
    notice: str = "",
    add_form: StepAddForm | None = None,
    step_form: tuple[int, StepForm] | None = None,
) -> HttpResponse:
    """The editor as the agenda is now; a bound form the person sent back keeps what they typed, with the
    current revision so that saving it again is a choice made seeing the new agenda."""
    workshop = Workshop.objects.select_related("profile", "facilitator").get(pk=workshop_id)
    revision = workshop.agenda_revision
    steps = list(workshop.steps.order_by("position").prefetch_related("proposals"))
    rows = []
    for step in steps:
        form = _step_form(step, workshop)
        if step_form is not None and step_form[0] == step.pk:
            form = _rearmed(step_form[1], revision)
        rows.append({"step": step, "form": form, "removable": not step.is_open and not step.proposals.all()})
    context = {
        "workshop": workshop,
        "rows": rows,
        "agenda_revision": revision,
        "add_form": _rearmed(add_form, revision) if add_form else StepAddForm(initial={"agenda_revision": revision}),
        "notice": notice,
        "notice_ok": status == 200,
        "moves": MOVES,
        "timer_limit": TIMER_LIMIT_MINUTES,
    }
    template = "workshops/fragment_agenda.html" if request.htmx else "workshops/agenda.html"
    return render(request, template, context, status=status)


def _rearmed(form, revision: int):
    """The form as the person sent it, but at the agenda's current revision."""
    data = form.data.copy()
    data[form.add_prefix("agenda_revision")] = revision
    rearmed = form.__class__(data, prefix=form.prefix)
    rearmed.is_valid()
    for field, errors in form.errors.items():
        if field != "agenda_revision":
            for error in errors:
                if error not in rearmed.errors.get(field, []):
                    rearmed.add_error(field if field != "__all__" else None, error)
    return rearmed


def _invalid_notice(form, message: str) -> str:
    """What to say about a form that did not validate: its hidden revision is not shown with the fields."""
    if "agenda_revision" in form.errors:
        return "The form came without the agenda's revision: reload the page and try again."
    return message


def _done(request, workshop_id: int, message: str) -> HttpResponse:
    if request.htmx:
        return _editor(request, workshop_id, notice=message)
    messages.success(request, message)
    return redirect("workshops:agenda", workshop_id=workshop_id)


def _refused(request, workshop_id: int, refusal: Exception, **forms) -> HttpResponse:
    if isinstance(refusal, ValidationError):
        return _editor(request, workshop_id, status=400, notice=" ".join(refusal.messages), **forms)
    return _editor(request, workshop_id, status=409, notice=str(refusal), **forms)


@role_required(*FACILITATORS)
@require_GET
def agenda(request, workshop_id):
    workshop = _workshop(request, workshop_id)
    return _editor(request, workshop.pk)


@role_required(*FACILITATORS)
@require_POST
def agenda_step_add(request, workshop_id):
    workshop = _workshop(request, workshop_id)
    form = StepAddForm(request.POST)
    not_added = {"status": 400, "notice": _invalid_notice(form, "The step was not added: see below."), "add_form": form}
    if not form.is_valid():
        return _editor(request, workshop.pk, **not_added)
    try:
        step = step_add(workshop=workshop, user=request.user, **form.service_kwargs())
    except ValidationError as error:
        service_errors_add(form, error)
        return _editor(request, workshop.pk, **not_added)
    except WorkshopRefused as refusal:
        return _refused(request, workshop.pk, refusal, add_form=form)
    return _done(request, workshop.pk, f"“{step.title}” is added at the end of the agenda.")


@role_required(*FACILITATORS)
@require_POST
def agenda_step_edit(request, step_id):
    step = _agenda_step(request, step_id)
    workshop = step.workshop
    form = StepForm(request.POST, prefix=f"step{step.pk}")
    not_saved = {
        "status": 400,
        "notice": _invalid_notice(form, "Nothing was saved: see below."),
        "step_form": (step.pk, form),
    }
    if not form.is_valid():
        return _editor(request, workshop.pk, **not_saved)
    data = form.cleaned_data
    try:
        step = step_update(
            step=step,
            user=request.user,
            agenda_revision=data["agenda_revision"],
            title=data["title"],
            duration_minutes=data["duration_minutes"],
        )
    except ValidationError as error:
        service_errors_add(form, error)
        return _editor(request, workshop.pk, **not_saved)
    except WorkshopRefused as refusal:
        return _refused(request, workshop.pk, refusal, step_form=(step.pk, form))
    return _done(request, workshop.pk, f"“{step.title}” is saved.")


@role_required(*FACILITATORS)
@require_POST
def agenda_step_move(request, step_id):
    step = _agenda_step(request, step_id)
    form = StepMoveForm(request.POST)
    if not form.is_valid():
        return _editor(request, step.workshop_id, status=400, notice="Move a step up or down.")
    try:
        step_move(step=step, user=request.user, **form.cleaned_data)
    except (ValidationError, WorkshopRefused) as refusal:
        return _refused(request, step.workshop_id, refusal)
    return _done(request, step.workshop_id, f"“{step.title}” is moved {form.cleaned_data['direction']}.")


@role_required(*FACILITATORS)
@require_POST
def agenda_step_remove(request, step_id):
    step = _agenda_step(request, step_id)
    form = AgendaRevisionForm(request.POST)
    if not form.is_valid():
        return _editor(request, step.workshop_id, status=400, notice="Reload the agenda and try again.")
    try:
        step_remove(step=step, user=request.user, **form.cleaned_data)
    except (ValidationError, WorkshopRefused) as refusal:
        return _refused(request, step.workshop_id, refusal)
    return _done(request, step.workshop_id, f"“{step.title}” is off the agenda.")
