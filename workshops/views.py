"""A participant's workshop: the list, a step's page, its live fragments, and proposing, editing, voting and
commenting.

Every write answers htmx with the region it changed (400 with the form's messages, 409 when refused or
changed meanwhile) and ``HX-Trigger: workshop-changed`` so the other regions refresh at once; a plain
form post gets a redirect, or the page with the message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ops.forms import service_errors_add
from teams.access import ANY_ROLE, role_required
from teams.models import Role

from . import access
from .cards import step_at, step_cards_of
from .follow import follow_answer, step_closed_reason
from .forms import (
    POINTS,
    CommentForm,
    ItemProposalForm,
    ProposalEditForm,
    VoteForm,
    WeightProposalForm,
    WorkshopForm,
)
from .live import (
    BAR_POLL_TRIGGER,
    POLL_MS,
    POLL_TRIGGER,
    Live,
    live_etag,
    live_poll,
    live_state,
    not_modified,
    with_etag,
)
from .live_asker import Asker
from .models import Proposal, Step, StepStatus
from .privacy import poker_state
from .selectors import rubric_now, workshops_for
from .services.follow import is_following, step_follow, step_stay
from .services.room import (
    ProposalChangedMeanwhile,
    WorkshopRefused,
    comment_add,
    participant_seen,
    proposal_add,
    proposal_edit,
    require_proposal_editor,
    vote_cast,
    vote_withdraw,
    workshop_create,
)

CHANGED = "workshop-changed"  # HX-Trigger: the other regions of the page refresh at once


def _step(step_id) -> Step:
    return get_object_or_404(Step.objects.select_related("workshop__profile", "workshop__facilitator"), pk=step_id)


def _proposal(proposal_id) -> Proposal:
    return get_object_or_404(Proposal.objects.select_related("step__workshop"), pk=proposal_id)


def _step_url(step: Step) -> str:
    return reverse("workshops:step", kwargs={"step_id": step.pk})


@role_required(*ANY_ROLE)
@require_GET
def workshop_list(request):
    context = {
        "workshops": workshops_for(request.user),
        "may_create": request.user.role in access.FACILITATING_ROLES,
    }
    return render(request, "workshops/workshop_list.html", context)


@role_required(Role.ADMIN, Role.FACILITATOR)
@require_http_methods(["GET", "POST"])
def workshop_new(request):
    form = WorkshopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workshop = workshop_create(
                profile=data["profile"],
                title=data["title"],
                facilitator=request.user,
                invitees=data["invitees"],
                voting=data["voting"],
                dots_per_step=data["dots_per_step"],
                anonymous_votes=data["anonymous_votes"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, f"Workshop “{workshop.title}” is ready: open its first step when you start.")
            return redirect("workshops:board", step_id=workshop.steps.first().pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "workshops/workshop_new.html", {"form": form}, status=status)


@role_required(*ANY_ROLE)
@require_GET
def workshop_detail(request, workshop_id):
    """The open step (or the first one): the board for the facilitator, the step page for everyone else."""
    steps = Step.objects.filter(workshop_id=workshop_id).select_related("workshop").order_by("position")
    step = steps.filter(status=StepStatus.OPEN).first() or steps.first()
    if step is None:
        raise Http404("No such workshop.")
    access.require_view(step.workshop, request.user)
    name = "workshops:board" if access.is_facilitator(step.workshop, request.user) else "workshops:step"
    return redirect(name, step_id=step.pk)


def _proposals_context(request, step: Step, live: Live, *, user=None, **extra) -> dict:
    """What the proposals region shows to ``user`` (the request's by default); ``live`` was read before ``step``
    was loaded (see live.py)."""
    user = user or request.user
    workshop = step.workshop
    participant = access.seated(user, live.invited)
    facilitator = access.is_facilitator(workshop, user)
    cards_html, votes_cast = step_cards_of(
        step, live.version, user, get_token(request), participant=participant, facilitator=facilitator
    )
    return {
        "step": step,
        "workshop": workshop,
        "cards_html": cards_html,
        "is_participant": participant,
        "is_facilitator": facilitator,
        "poker": poker_state(step) if step.is_poker and step.is_hidden else None,
        "points_choices": POINTS,
        "dots_left": max(workshop.dots_per_step - votes_cast, 0) if workshop.uses_dots else None,
        "etag": live.etag,
        "poll_trigger": POLL_TRIGGER,
        "poll_every_ms": POLL_MS,
        **extra,
    }


def bar_context(request, step: Step, etag: str, *, follows: bool = False) -> dict:
    """The step bar; ``follows``: on a participant's step page, whose screen follows the facilitator unless they
    chose to stay on this step (follow.py)."""
    workshop = step.workshop
    steps = list(workshop.steps.all())
    open_step = next((agenda_step for agenda_step in steps if agenda_step.is_open), None)
    return {
        "step": step,
        "workshop": workshop,
        "steps": steps,
        "is_facilitator": access.is_facilitator(workshop, request.user),
        "etag": etag,
        "poll_trigger": BAR_POLL_TRIGGER,
        "follows": follows,
        "staying": follows and not is_following(request.session, step),
        "open_step": open_step,
        "open_mark": open_step.pk if open_step else 0,
    }


def _propose_form(step: Step, data=None):
    if step.is_weights:
        return WeightProposalForm(data, initial={"points": 1})
    return ItemProposalForm(data, sections=step.sections)


@role_required(*ANY_ROLE)
@require_GET
def step_page(request, step_id):
    participant_seen(workshop=_step(step_id).workshop, user=request.user)
    proposals, bar_etag = live_state(request, step_id, "proposals"), live_etag(request, step_id, "bar")
    step = _step(step_id)
    follows = not access.is_facilitator(step.workshop, request.user)
    context = {
        **_proposals_context(request, step, proposals),
        "bar": bar_context(request, step, bar_etag, follows=follows),
        "propose_form": _propose_form(step),
        "may_act": access.can_act(step.workshop, request.user),
        "closed_reason": step_closed_reason(step),
    }
    if step.is_weights:
        context.update(points_choices=POINTS, rubric_now=rubric_now(step.workshop))
    return render(request, "workshops/step.html", context)


def _proposals_woken(request, step_id, asker: Asker, live: Live) -> HttpResponse:
    """The proposals for a poll woken by a change, once live.py has checked who asks without the session: the same
    region as ``proposals_fragment`` draws, from the same context, without the context processors (the region shows
    none of what they add), from the step as this process loaded it at this version (cards.py)."""
    step = step_at(step_id, asker.workshop_created_at, live.version)
    context = _proposals_context(request, step, live, user=asker.user)
    return with_etag(HttpResponse(render_to_string("workshops/fragment_proposals.html", context)), live.etag)


@live_poll("proposals", woken=_proposals_woken)
@role_required(*ANY_ROLE)
@require_GET
def proposals_fragment(request, step_id):
    live = live_state(request, step_id, "proposals")
    if (response := not_modified(request, live.etag)) is not None:
        return response
    step = get_object_or_404(Step.objects.select_related("workshop"), pk=step_id)  # all the region shows
    response = render(request, "workshops/fragment_proposals.html", _proposals_context(request, step, live))
    return with_etag(response, live.etag)


@live_poll("bar")
@role_required(*ANY_ROLE)
@require_GET
def bar_fragment(request, step_id):
    """The step bar; on a participant's page (``?open=<the open step when the page was drawn>``) a step opened
    or closed since then moves the screen to the open step, or redraws the page (follow.py)."""
    etag = live_etag(request, step_id, "bar")
    if (response := not_modified(request, etag)) is not None:
        return response
    step = _step(step_id)
    follows = "open" in request.GET and not access.is_facilitator(step.workshop, request.user)
    context = bar_context(request, step, etag, follows=follows)
    if follows and (moved := follow_answer(request, step, context["open_step"], request.GET["open"])) is not None:
        return moved
    return with_etag(render(request, "workshops/fragment_bar.html", context), etag)


@role_required(*ANY_ROLE)
@require_POST
def stay(request, step_id):
    """Stay on this step while the facilitator moves on."""
    step = _step(step_id)
    access.require_view(step.workshop, request.user)
    step_stay(session=request.session, step=step)
    messages.info(request, "You stay on this step. Choose “Follow the facilitator” to go back.")
    return redirect(_step_url(step))


@role_required(*ANY_ROLE)
@require_POST
def follow(request, step_id):
    """Follow the facilitator again: to the open step, if there is one."""
    step = _step(step_id)
    access.require_view(step.workshop, request.user)
    open_step = step_follow(session=request.session, workshop=step.workshop)
    return redirect(_step_url(open_step or step))


def proposals_answer(request, step: Step, *, status: int = 200, message: str = "") -> HttpResponse:
    """After a vote: htmx gets the proposals again (with the message), a plain post goes back to the page."""
    if not request.htmx:
        if message:
            messages.warning(request, message)
        return redirect(_step_url(step))
    live = live_state(request, step.pk, "proposals")
    context = _proposals_context(request, _step(step.pk), live, refusal=message)
    response = render(request, "workshops/fragment_proposals.html", context, status=status)
    return with_etag(response, live.etag) if status == 200 else response


@role_required(*ANY_ROLE)
@require_POST
def propose(request, step_id):
    step = _step(step_id)
    access.require_act(step.workshop, request.user)
    form = _propose_form(step, request.POST)
    status = 400
    if form.is_valid():
        kwargs = form.service_kwargs()
        try:
            proposal_add(step=step, user=request.user, **kwargs)
        except ValidationError as error:
            service_errors_add(form, error)
        except WorkshopRefused as refusal:
            form.add_error(None, str(refusal))
            status = 409
        else:
            if not request.htmx:
                return redirect(_step_url(step))
            response = render(
                request, "workshops/fragment_propose_form.html", {"step": step, "form": _propose_form(step)}
            )
            response["HX-Trigger"] = CHANGED
            return response
    template = "workshops/fragment_propose_form.html" if request.htmx else "workshops/propose_page.html"
    return render(request, template, {"step": step, "form": form}, status=status)


@role_required(*ANY_ROLE)
@require_http_methods(["GET", "POST"])
def proposal_edit_view(request, proposal_id):
    proposal = _proposal(proposal_id)
    step = proposal.step
    require_proposal_editor(proposal, request.user)
    initial = ProposalEditForm.initial_for(proposal)
    form = ProposalEditForm(request.POST or None, initial=initial, proposal=proposal)
    status, current = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                proposal_edit(proposal=proposal, user=request.user, **form.service_kwargs())
            except ValidationError as error:
                service_errors_add(form, error)
            except ProposalChangedMeanwhile as conflict:
                current, status = conflict.proposal, 409
                data = request.POST.copy()
                data["revision"] = current.revision  # their text stays in the box; a second save goes through
                form = ProposalEditForm(data, proposal=proposal)
                form.is_valid()
            except WorkshopRefused as refusal:
                form.add_error(None, str(refusal))
                status = 409
            else:
                return _composer_done(request, step, "Your change is saved.")
    context = {"proposal": proposal, "form": form, "current": current, "step": step}
    template = "workshops/fragment_edit_form.html" if request.htmx else "workshops/proposal_edit.html"
    return render(request, template, context, status=status)


@role_required(*ANY_ROLE)
@require_http_methods(["GET", "POST"])
def comment_view(request, proposal_id):
    proposal = _proposal(proposal_id)
    step = proposal.step
    access.require_act(step.workshop, request.user)
    access.require_proposal_visible(proposal, step, request.user)
    form = CommentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                comment_add(proposal=proposal, user=request.user, text=form.cleaned_data["text"])
            except ValidationError as error:
                service_errors_add(form, error)
            except WorkshopRefused as refusal:
                form.add_error(None, str(refusal))
                status = 409
            else:
                return _composer_done(request, step, "Your comment is posted.")
    context = {"proposal": proposal, "form": form, "step": step}
    template = "workshops/fragment_comment_form.html" if request.htmx else "workshops/comment_page.html"
    return render(request, template, context, status=status)


def _composer_done(request, step: Step, message: str) -> HttpResponse:
    if not request.htmx:
        messages.success(request, message)
        return redirect(_step_url(step))
    response = render(request, "workshops/fragment_composer.html", {"message": message})
    response["HX-Trigger"] = CHANGED
    return response


@role_required(*ANY_ROLE)
@require_POST
def vote(request, proposal_id):
    proposal = _proposal(proposal_id)
    form = VoteForm(request.POST)
    if not form.is_valid():
        access.require_act(proposal.step.workshop, request.user)
        return proposals_answer(request, proposal.step, status=400, message="Not a vote.")
    try:
        vote_cast(proposal=proposal, user=request.user, value=form.cleaned_data["value"])
    except (WorkshopRefused, ValidationError) as refusal:
        text = " ".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)
        return proposals_answer(request, proposal.step, status=409, message=text)
    return proposals_answer(request, proposal.step)


@role_required(*ANY_ROLE)
@require_POST
def unvote(request, proposal_id):
    proposal = _proposal(proposal_id)
    try:
        vote_withdraw(proposal=proposal, user=request.user)
    except WorkshopRefused as refusal:
        return proposals_answer(request, proposal.step, status=409, message=str(refusal))
    return proposals_answer(request, proposal.step)
