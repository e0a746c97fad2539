"""The facilitator's side: the board made to be projected, running the steps, deciding, closing; the summary."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from profiles.models import ItemStatus
from teams.access import ANY_ROLE, role_required
from teams.models import Role

from . import access
from .forms import CloseForm, DecideForm, TimerForm
from .live import POLL_MS, POLL_TRIGGER, live_etag, live_poll, not_modified, with_etag
from .models import TIMER_LIMIT_MINUTES, Privacy, Proposal, Step, Workshop
from .presence import PRESENT_SECONDS, workshop_presence
from .privacy import hidden_counts, poker_criteria, poker_state
from .selectors import item_splits, step_rows, weight_groups, workshop_teams
from .services.agenda import step_timer_start, step_timer_stop
from .services.closing import ClosePreviewStale, close_plan, reopen_blocker, workshop_close, workshop_reopen
from .services.room import WorkshopRefused, proposal_decide, step_close, step_open
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
        "poll_every_ms": POLL_MS,
        "privacy_choices": Privacy.choices,
        "presence": workshop_presence(workshop),
        "present_seconds": PRESENT_SECONDS,
        "seen_up_to": seen_up_to,
        **extra,
    }
    if step.is_hidden:
        # Nothing of what people put in: the board is projected. Counts, and who has not picked yet.
        context["hidden"] = hidden_counts(step)
        if step.is_poker:
            context["poker"] = poker_state(step)
            context["poker_criteria"] = list(poker_criteria(step))
        return context
    proposals = step.proposals.select_related("merged_into")
    context["merged"] = [proposal for proposal in proposals if proposal.merged_into_id]
    context["mergeable"] = [
        proposal for proposal in proposals if not proposal.merged_into_id and proposal.status == ItemStatus.PROPOSED
    ]
    if step.is_poker:
        context["pick_rows"] = [row for row in step_rows(step, None) if row.picks and not row.proposal.merged_into_id]
    if step.is_weights:
        context.update(groups=weight_groups(step, teams), rule=WEIGHT_RULE)
    else:
        splits = item_splits(step, request.user, teams, seen_up_to=seen_up_to)
        context["splits"] = [split for split in splits if not split.row.proposal.merged_into_id]
        context["rule"] = DOTS_RULE if workshop.uses_dots else AGREE_RULE
    return context


def board_page(request, step_id, *, status: int = 200, notice: str = "") -> HttpResponse:
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
    return board_page(request, step_id)


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
        return board_page(request, step.pk, status=409, notice=str(refusal))
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
        return board_page(request, step.pk, status=400, notice=notice)
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
        return board_page(request, step.pk, status=400, notice=_refusal_text(refusal))
    except WorkshopRefused as refusal:
        return board_page(request, step.pk, status=409, notice=str(refusal))
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


def _close_page(request, workshop: Workshop, *, status: int = 200, notice: str = "") -> HttpResponse:
    context = {"workshop": workshop, "plan": close_plan(workshop), "notice": notice}
    return render(request, "workshops/close_preview.html", context, status=status)


@role_required(*FACILITATORS)
@require_http_methods(["GET", "POST"])
def close(request, workshop_id):
    """GET: what closing will write (the preview). POST: close, confirming the preview's token; a preview that
    is out of date is refused (409) with the new one; a second submit finds it closed and changes nothing."""
    workshop = get_object_or_404(Workshop.objects.select_related("profile", "facilitator"), pk=workshop_id)
    access.require_facilitator(workshop, request.user)
    if workshop.is_closed:
        messages.info(request, "The workshop is closed already: nothing more was written.")
        return redirect("workshops:summary", workshop_id=workshop.pk)
    if request.method == "GET":
        return _close_page(request, workshop)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _close_page(request, workshop, status=400, notice="Confirm from the preview below.")
    try:
        workshop = workshop_close(workshop=workshop, user=request.user, token=form.cleaned_data["token"])
    except ClosePreviewStale as stale:
        return _close_page(request, workshop, status=409, notice=str(stale))
    except WorkshopRefused as refusal:
        if Workshop.objects.filter(pk=workshop.pk, status="closed").exists():  # a double submit, raced
            messages.info(request, "The workshop is closed already: nothing more was written.")
            return redirect("workshops:summary", workshop_id=workshop.pk)
        return _close_page(request, workshop, status=409, notice=str(refusal))
    except ValidationError as refusal:
        return _close_page(request, workshop, status=400, notice=" ".join(refusal.messages))
    messages.success(request, "The workshop is closed: the agreed items are in the profile.")
    return redirect("workshops:summary", workshop_id=workshop.pk)


@role_required(*FACILITATORS)
@require_POST
def reopen(request, workshop_id):
    workshop = get_object_or_404(Workshop, pk=workshop_id)
    try:
        workshop_reopen(workshop=workshop, user=request.user)
    except WorkshopRefused as refusal:
        messages.warning(request, str(refusal))
        return redirect("workshops:summary", workshop_id=workshop.pk)
    messages.success(request, "The workshop is open again: everything agreed stays agreed. Open a step to go on.")
    return redirect("workshops:detail", workshop_id=workshop.pk)


def _summary(request, workshop_id) -> tuple[Workshop, dict]:
    workshop = get_object_or_404(Workshop.objects.select_related("profile", "facilitator"), pk=workshop_id)
    access.require_view(workshop, request.user)
    return workshop, (workshop.summary if workshop.is_closed else summary_build(workshop))


@role_required(*ANY_ROLE)
@require_GET
def summary(request, workshop_id):
    workshop, outcome = _summary(request, workshop_id)
    is_facilitator = access.is_facilitator(workshop, request.user)
    context = {
        "workshop": workshop,
        "summary": outcome,
        "is_facilitator": is_facilitator,
        "reopen_blocker": reopen_blocker(workshop) if is_facilitator and workshop.is_closed else None,
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
