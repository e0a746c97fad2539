"""The rubric editor's evidence (admins): what the base says about a criterion, about the rule being typed,
and what the won and lost deals suggest each criterion of a version is worth."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from teams.access import role_required
from teams.models import Role

from . import scoring
from .evidence import criterion_evidence
from .fields import field_kind
from .forms import CriterionForm
from .models import Criterion, RubricVersion
from .overlap import rules_overlap, same_rule
from .preview import criterion_condition
from .selectors import criterion_spec, version_spec
from .suggested_weights import weights_suggest_cached


def _rule(typed: dict) -> scoring.Criterion:
    """The rule the editor's form holds, as the scoring engine takes it."""
    bands = tuple(
        scoring.Band(points=band["points"], min=band.get("min"), max=band.get("max"), label=band.get("label", ""))
        for band in typed["bands"]
    )
    return scoring.Criterion(
        id=0,
        field=typed["field"],
        kind=field_kind(typed["field"]),
        operator=typed["operator"],
        points=typed["points"],
        values=tuple(typed["values"]),
        bands=bands,
        label=typed["label"],
    )


@role_required(Role.ADMIN)
@require_GET
def criterion_evidence_view(request, criterion_id):
    criterion = get_object_or_404(Criterion, pk=criterion_id)
    context = {"evidence": criterion_evidence(criterion_spec(criterion)), "compact": True}
    return render(request, "rubrics/fragment_evidence.html", context)


@role_required(Role.ADMIN)
@require_GET
def rule_evidence_view(request, version_id):
    """The rule in the add or edit form as it is typed (``?editing=<criterion id>`` leaves that one out of the
    overlap check), with the version's criteria it overlaps."""
    version = get_object_or_404(RubricVersion, pk=version_id)
    typed = request.GET.copy()
    typed["revision"] = version.revision  # the form asks for it; nothing is saved here
    form = CriterionForm.for_criterion(None, version.revision, data=typed)
    if not form.is_valid():
        message = "Complete the rule (a field, how to compare it, its values) to see what the customer base says."
        return render(request, "rubrics/fragment_evidence.html", {"empty_message": message})
    rule = _rule(form.service_kwargs())
    editing = request.GET.get("editing", "")
    others = version.criteria.exclude(pk=int(editing)) if editing.isdigit() else version.criteria.all()
    overlaps = [other for other in others if rules_overlap(criterion_spec(other), rule)]
    clash = ""
    if overlaps:
        names = ", ".join(f"“{other.label or criterion_condition(other)}”" for other in overlaps)
        same = any(same_rule(criterion_spec(other), rule) for other in overlaps)
        clash = (
            f"{'The same rule as' if same else 'It overlaps'} {names}: customers matching both get both "
            "criteria's points."
        )
    return render(request, "rubrics/fragment_evidence.html", {"evidence": criterion_evidence(rule), "clash": clash})


@role_required(Role.ADMIN)
@require_GET
def suggested_weights_view(request, version_id):
    version = get_object_or_404(RubricVersion, pk=version_id)
    rubric = version_spec(version)
    suggestion = weights_suggest_cached(rubric)
    context = {"suggestion": suggestion, "rows": suggestion.rows(rubric), "teams": None}
    return render(request, "rubrics/fragment_suggested_weights.html", context)
