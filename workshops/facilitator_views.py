"""The facilitator's side: the board made to be projected, running the steps, deciding, closing; the summary."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_POST

from teams.access import ANY_ROLE, role_required
from teams.models import Role

from . import access
from .agenda import step_timer_start, step_timer_stop
from .closing import workshop_close
from .forms import DecideForm, TimerForm
from .live import POLL_TRIGGER, live_etag, live_poll, not_modified, with_etag
from .models import TIMER_LIMIT_MINUTES, Proposal, Step, Workshop
from .presence import PRESENT_SECONDS, workshop_presence
from .selectors import item_splits, weight_groups, workshop_teams
from .services import WorkshopRefused, proposal_decide, step_close, step_open
from .summary import summary_build, summary_markdown
from .tally import AGREE_RULE, DOTS_RULE, WEIGHT_RULE
from .views import bar_context

FACILITATORS = (Role.ADMIN, Role.FACILITATOR)


def _step(step_id) -> Step:
    return get_object_or_404(Step.objects.select_related("workshop__profile", "workshop__facilitator"), pk=step_id)


def _seen_up_to(request) -> int | None:
    """The last proposal when the facilitator opened the board (``?seen=``): those after it are marked new."""
    seen = request.GET.get("seen") or request.POST.get("seen") or ""
    return int(seen) if seen.isdigit() else None


def _board_context(request, step: Step, etag: str, *, seen_up_to: int | None = None, **extra) -> dict:
    """What the board shows; ``etag`` was read before ``step`` was loaded (see live.py)."""
    workshop = step.workshop
    teams = workshop_teams(workshop)
    context = {
        "step": step,
        "workshop": workshop,
        "teams": teams,
        "etag": etag,
        "poll_trigger": POLL_TRIGGER,
        "presence": workshop_presence(workshop),
        "present_seconds": PRESENT_SECONDS,
        "seen_up_to": seen_up_to,
        **extra,
    }
    if step.is_weights:
        context.update(groups=weight_groups(step, teams), rule=WEIGHT_RULE)
    else:
        context["splits"] = item_splits(step, request.user, teams, seen_up_to=seen_up_to)
        context["rule"] = DOTS_RULE if workshop.uses_dots else AGREE_RULE
    return context


def _board_page(request, step_id, *, status: int = 200, notice: str = "") -> HttpResponse:
    """The board; ``notice`` (with a 4xx status) says why what the facilitator asked was not done."""
    board_etag = live_etag(request, step_id, "board", facilitator_only=True)
    bar_etag = live_etag(request, step_id, "bar")
    step = _step(step_id)
    last = step.proposals.order_by("-pk").values_list("pk", flat=True).first()
    context = {
        **_board_context(request, step, board_etag, seen_up_to=last or 0),
        "bar": bar_context(request, step, bar_etag),
        "notice": notice,
    }
    return render(request, "workshops/board.html", context, status=status)


def _refusal_text(refusal: Exception) -> str:
    return " ".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)


@role_required(*FACILITATORS)
@require_GET
def board(request, step_id):
    return _board_page(request, step_id)


@live_poll("board")
@role_required(*FACILITATORS)
@require_GET
def board_fragment(request, step_id):
    etag = live_etag(request, step_id, "board", facilitator_only=True)
    if (response := not_modified(request, etag)) is not None:
        return response
    context = _board_context(request, _step(step_id), etag, seen_up_to=_seen_up_to(request))
    return with_etag(render(request, "workshops/fragment_board.html", context), etag)


def _back_to_board(request, step: Step) -> HttpResponse:
    return redirect("workshops:board", step_id=step.pk)


@role_required(*FACILITATORS)
@require_POST
def step_open_view(request, step_id):
    step = _step(step_id)
    try:
        step_open(step=step, user=request.user)
    except WorkshopRefused as refusal:
        return _board_page(request, step.pk, status=409, notice=str(refusal))
    return _back_to_board(request, step)


@role_required(*FACILITATORS)
@require_POST
def step_close_view(request, step_id):
    step = _step(step_id)
    step_close(step=step, user=request.user)
    return _back_to_board(request, step)


@role_required(*FACILITATORS)
@require_POST
def step_timer(request, step_id):
    """Start the step's countdown (its planned minutes, or those given) or stop it."""
    step = _step(step_id)
    access.require_facilitator(step.workshop, request.user)
    form = TimerForm(request.POST)
    if not form.is_valid():
        notice = f"Start or stop the timer; it runs 1 to {TIMER_LIMIT_MINUTES} minutes."
        return _board_page(request, step.pk, status=400, notice=notice)
    try:
        if form.cleaned_data["action"] == "stop":
            step_timer_stop(step=step, user=request.user)
        else:
            step, started = step_timer_start(step=step, user=request.user, minutes=form.cleaned_data["minutes"])
            if not started:
                messages.info(
                    request,
                    f"The timer was already running: it still ends at {localtime(step.timer_ends_at):%H:%M}. "
                    "Stop it to start it again.",
                )
    except ValidationError as refusal:
        return _board_page(request, step.pk, status=400, notice=_refusal_text(refusal))
    except WorkshopRefused as refusal:
        return _board_page(request, step.pk, status=409, notice=str(refusal))
    return _back_to_board(request, step)


@role_required(*FACILITATORS)
@require_POST
def decide(request, proposal_id):
    proposal = get_object_or_404(Proposal.objects.select_related("step__workshop"), pk=proposal_id)
    step = proposal.step
    access.require_facilitator(step.workshop, request.user)
    form = DecideForm(request.POST)
    refusal, status = None, 200
    if not form.is_valid():
        refusal, status = "Agreed, rejected or open again.", 400
    else:
        try:
            proposal_decide(proposal=proposal, user=request.user, status=form.cleaned_data["status"])
        except WorkshopRefused as error:
            refusal, status = str(error), 409
    if not request.htmx:
        if refusal:
            messages.warning(request, refusal)
        return _back_to_board(request, step)
    etag = live_etag(request, step.pk, "board", facilitator_only=True)
    context = _board_context(request, _step(step.pk), etag, seen_up_to=_seen_up_to(request), refusal=refusal)
    response = render(request, "workshops/fragment_board.html", context, status=status)
    return with_etag(response, etag) if status == 200 else response


@role_required(*FACILITATORS)
@require_POST
def close(request, workshop_id):
    workshop = get_object_or_404(Workshop, pk=workshop_id)
    try:
        workshop = workshop_close(workshop=workshop, user=request.user)
    except (WorkshopRefused, ValidationError) as refusal:
        text = " ".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)
        messages.warning(request, text)
    else:
        messages.success(request, "The workshop is closed: the agreed items are in the profile.")
    return redirect("workshops:summary", workshop_id=workshop.pk)


def _summary(request, workshop_id) -> tuple[Workshop, dict]:
    workshop = get_object_or_404(Workshop.objects.select_related("profile", "facilitator"), pk=workshop_id)
    access.require_view(workshop, request.user)
    return workshop, (workshop.summary if workshop.is_closed else summary_build(workshop))


@role_required(*ANY_ROLE)
@require_GET
def summary(request, workshop_id):
    workshop, outcome = _summary(request, workshop_id)
    context = {
        "workshop": workshop,
        "summary": outcome,
        "is_facilitator": access.is_facilitator(workshop, request.user),
    }
    return render(request, "workshops/summary.html", context)


@role_required(*ANY_ROLE)
@require_GET
def summary_export(request, workshop_id):
    workshop, outcome = _summary(request, workshop_id)
    response = HttpResponse(summary_markdown(outcome), content_type="text/markdown; charset=utf-8")
    name = slugify(workshop.title) or f"workshop-{workshop.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.md"'
    return response
