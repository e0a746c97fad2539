"""Feedback pages for staff: surveys, answers, imports, referrals, advocacy and the at-risk list.

Who may do what is in ``feedback.access``: admins everything, the Customer Success
team reads and records referrals and advocacy, sales reps see their own at-risk accounts.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from customers.exports import csv_chunks, streamed_download
from ops.forms import service_errors_add
from teams.access import role_required
from teams.models import Role

from . import risk, selectors
from .access import customer_success_required, risk_access_required
from .forms import (
    AdvocacyForm,
    ReferralForm,
    ReferralStatusForm,
    RiskFilterForm,
    SendForm,
    SurveyForm,
)
from .models import Referral, Survey
from .services.answers import survey_create
from .services.referrals import advocacy_create, referral_create, referral_status_set
from .services.sending import invitation_links, survey_send

CATEGORIES = [
    ("", "All"),
    ("promoter", "Promoters (9-10)"),
    ("passive", "Passives (7-8)"),
    ("detractor", "Detractors (0-6)"),
]


def _page_number(request) -> int:
    value = request.GET.get("page", "")
    return int(value) if value.isdigit() and len(value) < 7 else 1


# --- Surveys -----------------------------------------------------------------------------------------


def _survey_list_page(request, form: SurveyForm | None = None, status: int = 200):
    context = {"surveys": selectors.survey_list(), "form": form or SurveyForm()}
    return render(request, "feedback/survey_list.html", context, status=status)


@customer_success_required
@require_GET
def survey_list(request):
    return _survey_list_page(request)


@role_required(Role.ADMIN)
@require_POST
def survey_create_view(request):
    form = SurveyForm(request.POST)
    if not form.is_valid():
        return _survey_list_page(request, form, status=400)
    try:
        survey = survey_create(user=request.user, **form.cleaned_data)
    except ValidationError as error:
        service_errors_add(form, error)
        return _survey_list_page(request, form, status=400)
    messages.success(request, f"Survey “{survey.name}” is ready: choose whom to send it to.")
    return redirect("feedback:survey_send", survey_id=survey.pk)


@customer_success_required
@require_GET
def survey_detail(request, survey_id):
    survey = get_object_or_404(Survey.objects.select_related("created_by"), pk=survey_id)
    category = request.GET.get("category", "")
    responses = selectors.response_list(survey=survey, category=category)
    context = {
        "survey": survey,
        "counts": selectors.survey_counts(survey),
        "page": selectors.page_of(responses, _page_number(request)),
        "categories": CATEGORIES,
        "category": category,
        "query": urlencode({"category": category}) + "&",
    }
    return render(request, "feedback/survey_detail.html", context)


@role_required(Role.ADMIN)
def survey_send_view(request, survey_id):
    """The choices, with how many they invite right above "Invite"; a send whose count moved since is shown again."""
    survey = get_object_or_404(Survey, pk=survey_id)
    form = SendForm(request.POST if request.method == "POST" else (request.GET or SendForm.INITIAL))
    if not form.is_valid():
        return render(request, "feedback/survey_send.html", {"survey": survey, "form": form}, status=400)
    invitees = selectors.survey_invitees(survey=survey, filters=form.filters(), rubric=form.cleaned_data["rubric"])
    count = invitees.count()
    shown = form.cleaned_data["shown_count"]
    inviting = request.method == "POST" and "recount" not in request.POST
    if inviting and shown in (None, count):
        result = survey_send(survey=survey, customers=invitees, user=request.user)
        messages.success(
            request,
            f"{result.invited:,} customers invited; {result.with_email:,} of them get an email with their "
            "link, the others' links are in the links file.",
        )
        return redirect("feedback:survey_detail", survey_id=survey.pk)
    form = SendForm({**dict(form.data.items()), "shown_count": count})
    form.is_valid()
    context = {"survey": survey, "form": form, "count": count, "moved": inviting}
    return render(request, "feedback/survey_send.html", context)


@role_required(Role.ADMIN)
@require_GET
def survey_links(request, survey_id):
    """Every invitation's personal link, as CSV, for sending through another mail tool."""
    survey = get_object_or_404(Survey, pk=survey_id)
    header = ("external_id", "customer", "email", "link", "answered")
    site_url = request.build_absolute_uri("/").rstrip("/") if settings.SITE_URL_FROM_REQUEST else ""
    return streamed_download(
        csv_chunks(invitation_links(survey=survey, site_url=site_url), header=header),
        name=f"survey-{survey.pk}-links",
        extension="csv",
    )


@customer_success_required
@require_GET
def response_list(request):
    category = request.GET.get("category", "")
    sort = request.GET.get("sort", "")
    sort = sort if sort in selectors.INBOX_SORTS else "newest"
    rubric = selectors.fit_rubric()
    responses = selectors.response_list(category=category, sort=sort, rubric=rubric)
    context = {
        "page": selectors.page_of(responses, _page_number(request)),
        "categories": CATEGORIES,
        "category": category,
        "sorts": selectors.INBOX_SORTS.items(),
        "sort": sort,
        "fit_rubric": rubric,
        "query": urlencode({"category": category, "sort": sort}) + "&",
    }
    return render(request, "feedback/response_list.html", context)


# --- Referrals and advocacy ------------------------------------------------------------------------------


def _referral_page(request, form: ReferralForm | None = None, status: int = 200):
    context = {
        "form": form or ReferralForm(),
        "page": selectors.page_of(selectors.referral_list(), _page_number(request)),
        "statuses": ReferralStatusForm.base_fields["status"].choices,
        "changes": selectors.feedback_changes(entity="referral"),
    }
    return render(request, "feedback/referral_list.html", context, status=status)


@customer_success_required
@require_GET
def referral_list(request):
    return _referral_page(request)


@customer_success_required
@require_POST
def referral_add(request):
    form = ReferralForm(request.POST)
    if not form.is_valid():
        return _referral_page(request, form, status=400)
    try:
        referral = referral_create(user=request.user, **form.cleaned_data)
    except ValidationError as error:
        service_errors_add(form, error)
        return _referral_page(request, form, status=400)
    messages.success(request, f"Referral recorded: {referral.referrer} → {referral.referred_label}.")
    return redirect("feedback:referrals")


@customer_success_required
@require_POST
def referral_status(request, referral_id):
    referral = get_object_or_404(Referral, pk=referral_id)
    form = ReferralStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose open, closed: yes or closed: no.")
        return _referral_page(request, status=400)
    referral = referral_status_set(referral=referral, status=form.cleaned_data["status"], user=request.user)
    messages.success(request, f"{referral.referrer} → {referral.referred_label}: {referral.get_status_display()}.")
    return redirect("feedback:referrals")


def _advocacy_page(request, form: AdvocacyForm | None = None, status: int = 200):
    context = {
        "form": form or AdvocacyForm(),
        "page": selectors.page_of(selectors.advocacy_list(), _page_number(request)),
        "changes": selectors.feedback_changes(entity="advocacy"),
    }
    return render(request, "feedback/advocacy_list.html", context, status=status)


@customer_success_required
@require_GET
def advocacy_list(request):
    return _advocacy_page(request)


@customer_success_required
@require_POST
def advocacy_add(request):
    form = AdvocacyForm(request.POST)
    if not form.is_valid():
        return _advocacy_page(request, form, status=400)
    try:
        advocacy = advocacy_create(user=request.user, **form.cleaned_data)
    except ValidationError as error:
        service_errors_add(form, error)
        return _advocacy_page(request, form, status=400)
    messages.success(request, f"{advocacy.get_kind_display()} by {advocacy.customer} recorded.")
    return redirect("feedback:advocacy")


# --- Churn risk -------------------------------------------------------------------------------------------


@risk_access_required
@require_GET
def at_risk(request):
    form = RiskFilterForm(request.GET)
    form.is_valid()
    rubric = form.cleaned_data.get("rubric") or risk.risk_rubrics().first()
    thresholds = risk.risk_thresholds()
    page = None
    if rubric is not None:
        scores = risk.at_risk_scores(rubric=rubric, user=request.user, thresholds=thresholds)
        page = risk.at_risk_page(scores, number=_page_number(request), thresholds=thresholds)
    context = {
        "form": form,
        "rubric": rubric,
        "page": page,
        "thresholds": thresholds,
        "own_only": request.user.role == Role.SALES_REP,
        "query": f"rubric={rubric.pk}&" if rubric else "",
    }
    return render(request, "feedback/at_risk.html", context)
