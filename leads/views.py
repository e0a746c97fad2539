import html
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from customers.models import LifecycleStage
from ops.forms import service_errors_add
from ops.planner import short_query_planning
from rubrics import scoring
from rubrics.models import QualificationChange, Rubric
from rubrics.selectors import customer_attributes, score_explain
from teams.access import role_required
from teams.models import Role, User

from .forms import BulkActionForm, DispositionForm, LeadFilterForm, OwnerForm, SavedViewForm, filter_query
from .models import DispositionStatus, LeadDisposition, LeadListVisit, SavedLeadView
from .selectors import (
    DEFAULT_SORT,
    SORTS,
    disqualification_report,
    lead_disposition_history,
    lead_filters_read,
    lead_get,
    lead_matrix,
    lead_page,
    lead_segment_counts,
    rubric_scale,
)
from .services.dispositions import (
    BULK_ACTIONS,
    lead_disposition_set,
    lead_may_change,
    lead_owner_may_set,
    lead_owner_set,
    lead_visit_record,
    leads_bulk_apply,
)
from .services.saved_views import saved_view_delete, saved_view_save

LEAD_ROLES = (Role.ADMIN, Role.SALES_REP)
PER_PAGE = 50


@role_required(*LEAD_ROLES)
@require_GET
def leads(request):
    return _list(request, request.GET)


def _list(request, query: QueryDict, *, bulk_form=None, status=200):
    form = LeadFilterForm(query or None, user=request.user)
    rubric = form.chosen_rubric()
    context = {
        "form": form,
        "rubric": rubric,
        "page": None,
        "query": filter_query(query),
        "saved_views": SavedLeadView.objects.filter(user=request.user),
        "save_form": SavedViewForm(),
    }
    if rubric is not None:
        visit = lead_visit_record(user=request.user, rubric=rubric)
        scale = rubric_scale(rubric)
        form.grades_offer(scale.grade_labels())
        filters = form.filters(new_since=visit.new_since)
        with short_query_planning():
            filters = lead_filters_read(filters, rubric=rubric)  # once, for the page and its tabs' counts
            page = lead_page(
                user=request.user,
                rubric=rubric,
                filters=filters,
                scale=scale,
                number=form.page_number(),
                per_page=PER_PAGE,
            )
            context["segments"] = lead_segment_counts(user=request.user, rubric=rubric, filters=filters, scale=scale)
        context["rows"] = _rows(page.customers, rubric=rubric, scale=scale, new_since=visit.new_since)
        context.update(
            page=page,
            new_since=visit.new_since,
            sort_label=SORTS.get(filters.sort, SORTS[DEFAULT_SORT])[0],
            bulk_form=bulk_form or BulkActionForm(user=request.user, reps=form.reps or None),
        )
    return render(request, "leads/lead_list.html", context, status=status)


def _rows(leads: list[dict], *, rubric, scale, new_since) -> SafeString:
    """The list's rows (its template's loop drew fifteen values in each of fifty rows: a third of the page's time).

    The row template is drawn once per page with a slot for each value, once for a new lead and
    once for another; each lead's values, escaped, then fill the slots.
    """
    detail_url = reverse("leads:detail", args=[rubric.pk, 0]).removesuffix("0/")
    stages = dict(LifecycleStage.choices)
    patterns = {is_new: _row_pattern(is_new=is_new) for is_new in (False, True)}
    drawn = []
    for lead in leads:
        customer_id = lead["customer_id"]
        values = {
            "id": customer_id,
            "url": f"{detail_url}{customer_id}/",
            "name": lead["customer__name"],
            "domain": lead["customer__domain"],
            # As text: numbers would go through localisation.
            "total": str(lead["total"]),
            "grade": scale.grade_of(lead["total"]),
            "fit": str(lead["fit"]),
            "engagement": str(lead["engagement"]),
            "industry": lead["customer__industry"],
            "country": lead["customer__country"],
            "stage": stages.get(lead["customer__lifecycle_stage"], lead["customer__lifecycle_stage"]),
            "owner": _owner_name(lead),
            "disposition": lead["disposition"] or "—",
        }
        is_new = bool(new_since and lead["qualified_at"] and lead["qualified_at"] > new_since)
        # (The standard library's escape: the same text as Django's, without its wrapping, fifty times thirteen.)
        drawn += [part if i % 2 == 0 else html.escape(str(values[part])) for i, part in enumerate(patterns[is_new])]
    return mark_safe("".join(drawn))  # noqa: S308 - every value above is escaped, the rest is the template's


ROW_SLOTS = (
    *("id", "url", "name", "domain", "total", "grade", "fit", "engagement"),
    *("industry", "country", "stage", "owner", "disposition"),
)
SLOT_MARK = "\x1f"  # a control character: never in the template's own text


def _row_pattern(*, is_new: bool) -> list[str]:
    """The row template split at its slots: text, a slot's name, text, ... (a slot's name at each odd place)."""
    slots = {name: mark_safe(f"{SLOT_MARK}{name}{SLOT_MARK}") for name in ROW_SLOTS}  # noqa: S308 - our own text
    return render_to_string("leads/lead_row.html", {"lead": {**slots, "is_new": is_new}}).split(SLOT_MARK)


def _owner_name(lead: dict) -> str:
    """The owner as User.display_name shows them."""
    if lead["customer__owner__username"] is None:
        return "unowned"
    full = f"{lead['customer__owner__first_name']} {lead['customer__owner__last_name']}".strip()
    return full or lead["customer__owner__username"]


@role_required(*LEAD_ROLES)
@require_GET
def matrix(request):
    """The fit × engagement overview of the list's leads (each cell filters the list): a fragment the list
    loads with htmx, or a page of its own without JavaScript."""
    form = LeadFilterForm(request.GET or None, user=request.user)
    rubric = form.chosen_rubric()
    scale = rubric_scale(rubric) if rubric else None
    others = request.GET.copy()
    for key in ("grade", "engagement", "page"):
        others.pop(key, None)
    context = {"matrix": None, "query": filter_query(others), "rubric": rubric}
    if scale is not None:
        visit = LeadListVisit.objects.filter(user=request.user, rubric=rubric).first()
        filters = form.filters(new_since=visit.new_since if visit else None)
        context["matrix"] = lead_matrix(user=request.user, rubric=rubric, filters=filters, scale=scale)
        context["chosen"] = (filters.grade, filters.engagement)
    template = "leads/fragment_matrix.html" if request.htmx else "leads/matrix.html"
    return render(request, template, context)


@role_required(*LEAD_ROLES)
@require_POST
def bulk(request):
    """One action on the selected leads, all or nothing; back to the same filtered list."""
    query = QueryDict(request.POST.get("query", ""))
    form = BulkActionForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            count = leads_bulk_apply(
                user=request.user,
                rubric=data["rubric"],
                customer_ids=data["lead"],
                action=data["action"],
                reason=data["reason"],
                note=data["note"],
                owner=data["owner"],
            )
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            action = BULK_ACTIONS[data["action"]].lower()
            messages.success(request, f"{action.capitalize()}: done for {count} lead{'s' if count != 1 else ''}.")
            return redirect(f"{reverse('leads:list')}?{filter_query(query)}")
    messages.error(request, "Nothing was changed: " + "; ".join(_error_texts(form)))
    return _list(request, query, bulk_form=form, status=400)


@role_required(*LEAD_ROLES)
@require_POST
def view_save(request):
    form = SavedViewForm(request.POST)
    if form.is_valid():
        query = filter_query(QueryDict(form.cleaned_data["query"]))
        view = saved_view_save(user=request.user, name=form.cleaned_data["name"], query=query)
        messages.success(request, f"Saved the view “{view.name}”.")
        return redirect(f"{reverse('leads:list')}?{query}")
    messages.error(request, "The view was not saved: " + "; ".join(_error_texts(form)))
    return _list(request, QueryDict(request.POST.get("query", "")), status=400)


@role_required(*LEAD_ROLES)
@require_POST
def view_delete(request, view_id):
    view = get_object_or_404(SavedLeadView, pk=view_id, user=request.user)
    saved_view_delete(view=view, user=request.user)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect("leads:list")


@role_required(*LEAD_ROLES)
@require_GET
def lead_detail(request, rubric_id, customer_id):
    return _detail(request, rubric_id, customer_id, DispositionForm())


def _detail(request, rubric_id, customer_id, form, status=200, owner_form=None):
    rubric = get_object_or_404(Rubric, pk=rubric_id)
    score = lead_get(user=request.user, rubric=rubric, customer_id=customer_id)
    customer = score.customer
    explained = score_explain(score)
    attributes = customer_attributes(customer)
    context = {
        "score": score,
        "customer": customer,
        "rubric": rubric,
        "grade": explained.grade,
        "explained": explained,
        "matched": [(outcome, _value(attributes, outcome)) for outcome in explained.matched],
        "unmatched": _unmatched(explained.explanation, attributes),
        "threshold": explained.threshold,
        "disposition": LeadDisposition.objects.filter(customer=customer, rubric=rubric).first(),
        "history": lead_disposition_history(customer=customer, rubric=rubric),
        "score_history": QualificationChange.objects.filter(customer=customer, rubric=rubric).select_related("version")[
            :20
        ],
        "may_change": lead_may_change(user=request.user, customer=customer),
        "may_claim": lead_owner_may_set(user=request.user, customer=customer, owner=request.user),
        "owner_form": owner_form or (OwnerForm() if request.user.is_admin else None),
        "form": form,
    }
    return render(request, "leads/lead_detail.html", context, status=status)


def _value(attributes: dict, outcome: scoring.Outcome) -> str:
    """The account's value for a criterion, as a person reads it (an engagement criterion: where it came from)."""
    source = scoring.source_words(attributes, outcome.criterion)
    if source is not None:
        return source
    value = scoring.value_of(attributes, outcome.criterion.field)
    if value is None or value == "":
        return "no data"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return f"{value:,}"
    return str(value)


def _unmatched(explanation: scoring.Explanation, attributes) -> list[tuple[scoring.Outcome, object, int]]:
    """Criteria that gave no points, with the customer's value and the most each could change the
    score (positive: what would raise it; negative: what would lower it) within its group's cap,
    biggest gains first. A must-have is always there (the lead needs it to qualify, whatever its points); a
    disqualifier never is (matching it would only keep the lead out)."""
    rows = []
    for outcome in explanation.outcomes:
        if outcome.status == scoring.MATCHED or outcome.criterion.gate == scoring.GATE_NEVER:
            continue
        group = outcome.criterion.group
        raw, counted, cap = explanation.raw_subtotals[group], explanation.subtotals[group], explanation.caps.get(group)
        changes = [
            (raw + points if cap is None else min(raw + points, cap)) - counted
            for points in outcome.criterion.point_options
        ]
        changes = [change for change in changes if change]
        if not changes and outcome.criterion.gate != scoring.GATE_MUST:
            continue
        change = max(changes, default=0) if max(changes, default=0) > 0 else min(changes, default=0)
        rows.append((outcome, _value(attributes, outcome), change))
    return sorted(rows, key=lambda row: -row[2])


@role_required(*LEAD_ROLES)
@require_POST
def lead_disposition(request, rubric_id, customer_id):
    rubric = get_object_or_404(Rubric, pk=rubric_id)
    score = lead_get(user=request.user, rubric=rubric, customer_id=customer_id)
    form = DispositionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            lead_disposition_set(
                customer=score.customer,
                rubric=rubric,
                status=data["status"],
                reason=data["reason"],
                note=data["note"],
                user=request.user,
            )
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            if data["status"] == DispositionStatus.DISQUALIFIED:
                messages.success(request, f"{score.customer.name} is disqualified ({data['reason']}).")
                return redirect(f"{reverse('leads:list')}?rubric={rubric.pk}")
            messages.success(request, f"{score.customer.name} is marked {data['status']}.")
            return redirect("leads:detail", rubric_id=rubric.pk, customer_id=score.customer_id)
    return _detail(request, rubric_id, customer_id, form, status=400)


@role_required(*LEAD_ROLES)
@require_POST
def lead_owner(request, rubric_id, customer_id):
    """Claim an unowned lead (a rep, for themselves) or give it to a rep or nobody (an admin)."""
    rubric = get_object_or_404(Rubric, pk=rubric_id)
    score = lead_get(user=request.user, rubric=rubric, customer_id=customer_id)
    if request.user.is_admin:
        owner_form = OwnerForm(request.POST)
        if not owner_form.is_valid():
            return _detail(request, rubric_id, customer_id, DispositionForm(), status=400, owner_form=owner_form)
        owner: User | None = owner_form.cleaned_data["owner"]
    else:
        owner = request.user
    lead_owner_set(customer=score.customer, owner=owner, user=request.user)
    who = "you" if owner == request.user else owner.display_name if owner else "nobody"
    messages.success(request, f"{score.customer.name} now belongs to {who}.")
    return redirect("leads:detail", rubric_id=rubric.pk, customer_id=score.customer_id)


def _error_texts(form) -> list[str]:
    return [str(message) for messages_ in form.errors.values() for message in messages_]


@role_required(Role.ADMIN)
@require_GET
def disqualifications(request, rubric_id):
    rubric = get_object_or_404(Rubric.objects.select_related("profile"), pk=rubric_id)
    context = {"rubric": rubric, "report": disqualification_report(rubric=rubric)}
    return render(request, "leads/disqualifications.html", context)
