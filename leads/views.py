from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from customers.selectors import customer_page
from rubrics import scoring
from rubrics.models import Rubric
from rubrics.selectors import score_explain
from teams.access import role_required
from teams.models import Role

from .forms import DispositionForm, LeadFilterForm
from .models import DispositionStatus, LeadDisposition
from .selectors import disqualification_report, lead_disposition_history, lead_get, lead_list
from .services import lead_disposition_set, lead_visit_record

LEAD_ROLES = (Role.ADMIN, Role.SALES_REP)
PER_PAGE = 50


@role_required(*LEAD_ROLES)
@require_GET
def leads(request):
    form = LeadFilterForm(request.GET or None, user=request.user)
    rubric = form.chosen_rubric()
    context = {"form": form, "rubric": rubric, "page": None}
    if rubric is not None:
        visit = lead_visit_record(user=request.user, rubric=rubric)
        found = lead_list(user=request.user, rubric=rubric, filters=form.filters(new_since=visit.new_since))
        context["page"] = customer_page(customers=found, number=form.page_number(), per_page=PER_PAGE)
    return render(request, "leads/lead_list.html", context)


@role_required(*LEAD_ROLES)
@require_GET
def lead_detail(request, rubric_id, customer_id):
    return _detail(request, rubric_id, customer_id, DispositionForm())


def _detail(request, rubric_id, customer_id, form, status=200):
    rubric = get_object_or_404(Rubric, pk=rubric_id)
    score = lead_get(user=request.user, rubric=rubric, customer_id=customer_id)
    explained = score_explain(score)
    context = {
        "score": score,
        "customer": score.customer,
        "rubric": rubric,
        "grade": explained.grade,
        "matched": explained.matched,
        "could_add": _could_add(explained.outcomes),
        "threshold": explained.threshold,
        "disposition": LeadDisposition.objects.filter(customer=score.customer, rubric=rubric).first(),
        "history": lead_disposition_history(customer=score.customer, rubric=rubric),
        "form": form,
    }
    return render(request, "leads/lead_detail.html", context, status=status)


def _could_add(outcomes) -> list[tuple[scoring.Outcome, int]]:
    """The criteria that did not give points but could, with the most each could add: what would raise the score."""
    gains = []
    for outcome in outcomes:
        if outcome.status == scoring.MATCHED:
            continue
        best = max(outcome.criterion.point_options)
        if best > 0:
            gains.append((outcome, best))
    return sorted(gains, key=lambda gain: -gain[1])


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
            _field_errors(form, error)
        else:
            if data["status"] == DispositionStatus.DISQUALIFIED:
                messages.success(request, f"{score.customer.name} is disqualified ({data['reason']}).")
                return redirect(f"{reverse('leads:list')}?rubric={rubric.pk}")
            messages.success(request, f"{score.customer.name} is marked {data['status']}.")
            return redirect("leads:detail", rubric_id=rubric.pk, customer_id=score.customer_id)
    return _detail(request, rubric_id, customer_id, form, status=400)


def _field_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


@role_required(Role.ADMIN)
@require_GET
def disqualifications(request, rubric_id):
    rubric = get_object_or_404(Rubric.objects.select_related("profile"), pk=rubric_id)
    context = {"rubric": rubric, "report": disqualification_report(rubric=rubric)}
    return render(request, "leads/disqualifications.html", context)
