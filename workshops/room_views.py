"""Running the room: a proposal's history, weight poker picks, a step run privately and revealed, merging
duplicates (services/privacy.py, services/merging.py)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from teams.access import ANY_ROLE, role_required
from teams.models import Role

from . import access
from .facilitator_views import board_page
from .forms import MergeForm, PickForm, PrivacyForm
from .models import Proposal, Step
from .selectors import proposal_history
from .services.merging import proposal_merge, proposal_merge_undo
from .services.privacy import pick_cast, step_privacy_set, step_reveal
from .services.room import WorkshopRefused
from .views import CHANGED, proposals_answer

FACILITATORS = (Role.ADMIN, Role.FACILITATOR)


def _proposal(proposal_id) -> Proposal:
    return get_object_or_404(Proposal.objects.select_related("step__workshop", "author"), pk=proposal_id)


def _refusal_text(refusal: Exception) -> str:
    return " ".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)


@role_required(*ANY_ROLE)
@require_GET
def history(request, proposal_id):
    """Who changed the proposal, what and when: opened from its card into the composer."""
    proposal = _proposal(proposal_id)
    access.require_view(proposal.step.workshop, request.user)
    access.require_proposal_visible(proposal, proposal.step, request.user)
    if proposal.step.is_hidden and proposal.author_id != request.user.pk:  # a poker round: its points changes
        raise PermissionDenied("This proposal's history shows after the reveal.")
    context = {"proposal": proposal, "changes": proposal_history(proposal), "step": proposal.step}
    template = "workshops/fragment_history.html" if request.htmx else "workshops/history_page.html"
    return render(request, template, context)


@role_required(*ANY_ROLE)
@require_POST
def pick(request, proposal_id):
    """A participant's points for a criterion in a weight poker round."""
    proposal = _proposal(proposal_id)
    form = PickForm(request.POST)
    if not form.is_valid():
        access.require_act(proposal.step.workshop, request.user)
        return proposals_answer(request, proposal.step, status=400, message="Pick points from −3 to +3.")
    try:
        pick_cast(proposal=proposal, user=request.user, points=form.cleaned_data["points"])
    except (WorkshopRefused, ValidationError) as refusal:
        return proposals_answer(request, proposal.step, status=409, message=_refusal_text(refusal))
    return proposals_answer(request, proposal.step)


def _back_to_board(request, step_id, *, refusal: Exception | None = None):
    if refusal is not None:
        messages.warning(request, _refusal_text(refusal))
    response = redirect("workshops:board", step_id=step_id)
    response["HX-Trigger"] = CHANGED
    return response


def _refused(request, step_id, refusal: Exception, status: int):
    """A refused facilitator action: the board again with why, and a 4xx status (nothing changed)."""
    return board_page(request, step_id, status=status, notice=_refusal_text(refusal))


@role_required(*FACILITATORS)
@require_POST
def privacy(request, step_id):
    step = get_object_or_404(Step.objects.select_related("workshop"), pk=step_id)
    access.require_facilitator(step.workshop, request.user)
    form = PrivacyForm(request.POST)
    if not form.is_valid():
        return _refused(request, step.pk, ValidationError("Open, private or weight poker."), 400)
    try:
        step_privacy_set(step=step, user=request.user, privacy=form.cleaned_data["privacy"])
    except ValidationError as refusal:
        return _refused(request, step.pk, refusal, 400)
    except WorkshopRefused as refusal:
        return _refused(request, step.pk, refusal, 409)
    return _back_to_board(request, step.pk)


@role_required(*FACILITATORS)
@require_POST
def reveal(request, step_id):
    step = get_object_or_404(Step.objects.select_related("workshop"), pk=step_id)
    if not step_reveal(step=step, user=request.user):
        messages.info(request, "It was revealed already: nothing changed.")
    return _back_to_board(request, step.pk)


@role_required(*FACILITATORS)
@require_POST
def merge(request, proposal_id):
    proposal = _proposal(proposal_id)
    access.require_facilitator(proposal.step.workshop, request.user)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _refused(request, proposal.step_id, ValidationError("Choose the proposal to keep."), 400)
    into = Proposal.objects.filter(pk=form.cleaned_data["into"]).select_related("step").first()
    if into is None:
        return _refused(request, proposal.step_id, ValidationError("That proposal does not exist any more."), 400)
    try:
        proposal_merge(proposal=proposal, into=into, user=request.user)
    except WorkshopRefused as refusal:
        return _refused(request, proposal.step_id, refusal, 409)
    return _back_to_board(request, proposal.step_id)


@role_required(*FACILITATORS)
@require_POST
def unmerge(request, proposal_id):
    proposal = _proposal(proposal_id)
    try:
        undone = proposal_merge_undo(proposal=proposal, user=request.user)
    except WorkshopRefused as refusal:
        return _refused(request, proposal.step_id, refusal, 409)
    if not undone:
        messages.info(request, "It is not merged (any more): nothing changed.")
    return _back_to_board(request, proposal.step_id)
