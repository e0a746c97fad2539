"""The analytics pages: segments compared, the ICP's accuracy, what the best customers share.

Admins, facilitators and members read them (the analysis feeds workshops); sales reps do not: they
work their own leads, and these pages read the whole customer base. Sending a suggested criterion is
for admins (to a rubric draft) and for facilitators and admins (to a workshop they run or attend).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from outcomes.stats import SIGNIFICANT_Q, SMALL_GROUP
from rubrics.services.drafts import DraftChangedMeanwhile, VersionNotEditable
from teams.access import has_role, role_required
from teams.models import Role
from workshops.services.room import WorkshopRefused

from .accuracy import accuracy_measure, previous_version
from .charts import accuracy_charts, segments_charts
from .forms import POINTS, AccuracyQueryForm, SuggestionForm, TraitsQueryForm, WorkshopSuggestionForm
from .headlines import accuracy_headline, segments_headline, traits_headline
from .segments import METRICS, POPULATIONS, segments_compare
from .selectors import NotAnalysable, analysed_rubric, analysed_rubrics, workshops_open_for
from .services import suggestion_send_to_rubric, suggestion_send_to_workshop
from .suggestions import criteria_suggest
from .traits import traits_discover

ANALYSTS = (Role.ADMIN, Role.FACILITATOR, Role.MEMBER)
TO_RUBRIC = (Role.ADMIN,)
TO_WORKSHOP = (Role.ADMIN, Role.FACILITATOR)


def _problem(request, message: str, status: int, rubric=None):
    return render(request, "analytics/problem.html", {"message": message, "rubric": rubric}, status=status)


def _page(request, template: str, rubric, context: dict, status: int = 200):
    context = {
        "rubric": rubric,
        "rubrics": analysed_rubrics(),
        "small_group": SMALL_GROUP,
        **context,
    }
    return render(request, template, context, status=status)


@role_required(*ANALYSTS)
@require_GET
def index(request):
    return render(request, "analytics/index.html", {"rubrics": analysed_rubrics()})


@role_required(*ANALYSTS)
@require_GET
def segments(request, rubric_id: int):
    try:
        rubric, version = analysed_rubric(rubric_id)
    except NotAnalysable as error:
        return _problem(request, str(error), 404)
    compared = segments_compare(rubric=rubric, version=version)
    headers = [(label, POPULATIONS[key]) for key, label, _, _ in METRICS]
    context = {
        "compared": compared,
        "metrics": METRICS,
        "headers": headers,
        "charts": segments_charts(compared),
        "headline": segments_headline(compared),
        "page": "segments",
    }
    return _page(request, "analytics/segments.html", rubric, context)


@role_required(*ANALYSTS)
@require_GET
def accuracy(request, rubric_id: int):
    try:
        rubric, version = analysed_rubric(rubric_id)
    except NotAnalysable as error:
        return _problem(request, str(error), 404)
    form = AccuracyQueryForm(request.GET, version=version)
    if not form.is_valid():
        return _page(request, "analytics/accuracy.html", rubric, {"form": form, "page": "accuracy"}, status=400)
    against = form.cleaned_data["against"] or previous_version(version)
    measured = accuracy_measure(rubric=rubric, version=version, against=against)
    context = {
        "form": form,
        "accuracy": measured,
        "charts": accuracy_charts(measured),
        "headline": accuracy_headline(measured),
        "page": "accuracy",
    }
    return _page(request, "analytics/accuracy.html", rubric, context)


@role_required(*ANALYSTS)
@require_GET
def traits(request, rubric_id: int):
    try:
        rubric, _ = analysed_rubric(rubric_id)
    except NotAnalysable as error:
        return _problem(request, str(error), 404)
    form = TraitsQueryForm(request.GET)
    if not form.is_valid():
        return _page(request, "analytics/traits.html", rubric, {"form": form, "page": "traits"}, status=400)
    discovery = traits_discover(rubric=rubric, basis=form.cleaned_data["best"], top=form.cleaned_data["top"])
    suggestions = criteria_suggest(discovery)
    context = {
        "form": form,
        "discovery": discovery,
        "headline": traits_headline(discovery),
        "suggestions": [(suggestion, suggestion.signed(rubric_id=rubric.pk)) for suggestion in suggestions],
        "points_choices": POINTS,
        "significant_q": SIGNIFICANT_Q,
        "may_send_to_rubric": has_role(request.user, *TO_RUBRIC),
        "may_send_to_workshop": has_role(request.user, *TO_WORKSHOP),
        "workshops": workshops_open_for(rubric=rubric, user=request.user),
        "back": request.get_full_path(),
        "page": "traits",
    }
    return _page(request, "analytics/traits.html", rubric, context)


def _back(request, rubric) -> str:
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return reverse("analytics:traits", args=[rubric.pk])


def _form_problem(request, form, rubric):
    text = " ".join(message for messages_ in form.errors.values() for message in messages_)
    return _problem(request, text, 400, rubric)


@role_required(*TO_RUBRIC)
@require_POST
def suggestion_to_rubric(request, rubric_id: int):
    try:
        rubric, _ = analysed_rubric(rubric_id)
    except NotAnalysable as error:
        return _problem(request, str(error), 404)
    form = SuggestionForm(request.POST, rubric=rubric)
    if not form.is_valid():
        return _form_problem(request, form, rubric)
    suggestion, points = form.cleaned_data["suggestion"], form.cleaned_data["points"]
    try:
        draft, criterion, created = suggestion_send_to_rubric(
            rubric=rubric, suggestion=suggestion, points=points, user=request.user
        )
    except ValidationError as error:
        return _problem(request, " ".join(error.messages), 400, rubric)
    except (DraftChangedMeanwhile, VersionNotEditable) as error:
        return _problem(request, str(error), 409, rubric)
    if created:
        messages.success(request, f"“{criterion}” ({criterion.points:+d}) is added to the draft v{draft.number}.")
    else:
        messages.info(request, f"The draft v{draft.number} already has “{criterion}”: nothing was added.")
    return redirect(_back(request, rubric))


@role_required(*TO_WORKSHOP)
@require_POST
def suggestion_to_workshop(request, rubric_id: int):
    try:
        rubric, _ = analysed_rubric(rubric_id)
    except NotAnalysable as error:
        return _problem(request, str(error), 404)
    form = WorkshopSuggestionForm(request.POST, rubric=rubric, user=request.user)
    if not form.is_valid():
        return _form_problem(request, form, rubric)
    workshop = form.cleaned_data["workshop"]
    try:
        proposal, created = suggestion_send_to_workshop(
            workshop=workshop,
            suggestion=form.cleaned_data["suggestion"],
            points=form.cleaned_data["points"],
            user=request.user,
        )
    except ValidationError as error:
        return _problem(request, " ".join(error.messages), 400, rubric)
    except WorkshopRefused as error:
        return _problem(request, str(error), 409, rubric)
    if created:
        messages.success(request, f"“{proposal.criterion_label}” is proposed in “{workshop}”.")
    else:
        messages.info(request, f"You already proposed “{proposal.criterion_label}” in “{workshop}”: nothing was added.")
    return redirect(_back(request, rubric))
