"""The scoring step's side panel: the rubric as it scores today, what the base says about each rule, and new
points for one of its criteria. Participants and the facilitator; admins may look."""

import dataclasses

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from profiles.models import ItemStatus
from rubrics import scoring
from rubrics.evidence import criterion_evidence
from rubrics.overlap import rule_key
from rubrics.selectors import version_spec
from rubrics.suggested_weights import weights_suggest_cached
from teams.access import ANY_ROLE, role_required

from . import access
from .forms import POINTS, WeightChangeForm, WeightProposalForm
from .models import ProposalKind, Step
from .privacy import proposals_visible
from .selectors import RubricNow, rubric_now
from .services.room import WorkshopRefused, proposal_add

CHANGED = "workshop-changed"


def _step(step_id) -> Step:
    return get_object_or_404(Step.objects.select_related("workshop__profile", "workshop__facilitator"), pk=step_id)


def rubric_now_context(request, step: Step, now: RubricNow | None = None, **extra) -> dict:
    return {
        "step": step,
        "now": now or rubric_now(step.workshop),
        "may_act": access.can_act(step.workshop, request.user),
        "points_choices": POINTS,
        **extra,
    }


@role_required(*ANY_ROLE)
@require_GET
def evidence(request, step_id):
    """What the base says about a criterion of the rubric (``?criterion=<id>``) or about the rule typed in the
    propose form (its fields), with the criterion it would clash with."""
    step = _step(step_id)
    access.require_view(step.workshop, request.user)
    now = rubric_now(step.workshop)
    context = {"compact": False}
    if "criterion" in request.GET:
        criterion_id = request.GET["criterion"]
        row = now.row_for(int(criterion_id)) if criterion_id.isdigit() else None
        if row is None:
            context["empty_message"] = "This criterion is not in the rubric as it scores today."
        else:
            context.update(evidence=criterion_evidence(row.spec), compact=True)
    else:
        form = WeightProposalForm(request.GET)
        if form.is_valid():
            rule = form.rule_of()
            context.update(evidence=criterion_evidence(rule), clash=now.clash_message(rule))
            if same := now.same_as(rule):
                context["same"] = f"The rubric has this rule: “{same.criterion}” gives {same.points} today."
        else:
            context["empty_message"] = (
                "Complete the rule (a field, how to compare it, its values) to see what the customer base says."
            )
    return render(request, "rubrics/fragment_evidence.html", context)


@role_required(*ANY_ROLE)
@require_POST
def propose_points(request, step_id, criterion_id):
    """New points for one of the rubric's criteria, proposed from the rubric panel."""
    step = _step(step_id)
    access.require_act(step.workshop, request.user)
    form = WeightChangeForm(request.POST)
    status, message = 400, "Choose the new points, from −3 to +3."
    if not step.is_weights:
        message = "This step is about profile items: criteria get their points in the scoring step."
    elif form.is_valid():
        try:
            proposal = proposal_add(step=step, user=request.user, criterion_id=criterion_id, **form.service_kwargs())
        except ValidationError as error:
            message = " ".join(error.messages)
        except WorkshopRefused as refusal:
            status, message = 409, str(refusal)
        else:
            status = 200
            message = f"Proposed: “{proposal.criterion_label}” {proposal.current_points:+d} → {proposal.points:+d}."
    if not request.htmx:
        (messages.success if status == 200 else messages.warning)(request, message)
        return redirect(reverse("workshops:step", kwargs={"step_id": step.pk}))
    context = rubric_now_context(request, step, message=message, message_ok=status == 200)
    response = render(request, "workshops/fragment_rubric_now.html", context, status=status)
    if status == 200:
        response["HX-Trigger"] = CHANGED
    return response


def _with_new_rules(now: RubricNow, step: Step, user) -> tuple[scoring.Rubric, dict[tuple, list]]:
    """The rubric as it scores today plus each new rule proposed in the step (at 0 points now), and the points
    each team proposed per rule."""
    base = version_spec(now.published) if now.published else scoring.Rubric(criteria=(), threshold=0)
    known = {rule_key(criterion) for criterion in base.criteria}
    added, teams = [], {}
    proposals = proposals_visible(step, user).filter(kind=ProposalKind.WEIGHT, merged_into__isnull=True)
    for proposal in (
        proposals.exclude(status=ItemStatus.REJECTED).select_related("author_team").order_by("created_at", "id")
    ):
        rule = proposal.rule_spec
        key = rule_key(rule)
        team = proposal.author_team.name if proposal.author_team else "No team"
        if not step.is_hidden:  # before a reveal, the rules proposed show, not the points each team gave
            teams.setdefault(key, []).append((team, proposal.points))
        if key not in known:
            known.add(key)
            added.append(dataclasses.replace(rule, id=-len(added) - 1, points=0))
    return dataclasses.replace(base, criteria=base.criteria + tuple(added)), teams


@role_required(*ANY_ROLE)
@require_GET
def suggested_weights(request, step_id):
    """What the won and lost deals say each criterion (and each new rule proposed here) is worth, beside the
    points the teams propose."""
    step = _step(step_id)
    access.require_view(step.workshop, request.user)
    rubric, teams = _with_new_rules(rubric_now(step.workshop), step, request.user)
    suggestion = weights_suggest_cached(rubric)
    rows = [
        dataclasses.replace(row, teams=tuple(teams.get(rule_key(row.slot.criterion), ())))
        for row in suggestion.rows(rubric)
    ]
    context = {"suggestion": suggestion, "rows": rows, "teams": teams}
    return render(request, "rubrics/fragment_suggested_weights.html", context)
