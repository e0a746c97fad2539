"""Assignment rules (admins), reps marked away (reps for themselves, admins for anyone) and a lead's assignments."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from customers.models import Customer
from leads.selectors import lead_scope
from ops.forms import service_errors_add
from teams.access import role_required
from teams.models import Role, User

from .forms import AwayForm, RuleForm
from .models import AssignmentLog, AssignmentRule, RepAway
from .selectors import is_away, lead_assignments, recent_assignments, rule_preview
from .services.rules import rep_away_clear, rep_away_set, rule_delete, rule_save

LEAD_ROLES = (Role.ADMIN, Role.SALES_REP)


def _rules_page(request, form=None, status=200):
    context = {
        "rules": AssignmentRule.objects.prefetch_related("reps"),
        "form": form or RuleForm(submit="Add rule"),
        "logs": recent_assignments(),
        "away": RepAway.objects.select_related("user").order_by("user__username"),
    }
    return render(request, "routing/rule_list.html", context, status=status)


@role_required(Role.ADMIN)
@require_GET
def rule_list(request):
    return _rules_page(request)


def _save(request, rule: AssignmentRule | None, form: RuleForm) -> AssignmentRule | None:
    if not form.is_valid():
        return None
    values = {name: value for name, value in form.cleaned_data.items() if name != "reps"}
    try:
        return rule_save(rule=rule, values=values, reps=list(form.cleaned_data["reps"]), user=request.user)
    except ValidationError as error:
        service_errors_add(form, error)
        return None


@role_required(Role.ADMIN)
@require_POST
def rule_create(request):
    form = RuleForm(request.POST, submit="Add rule")
    rule = _save(request, None, form)
    if rule is None:
        return _rules_page(request, form=form, status=400)
    messages.success(request, f"The rule “{rule.name}” is saved.")
    return redirect("routing:rule_detail", rule_id=rule.pk)


def _rule_page(request, rule: AssignmentRule, form=None, status=200):
    context = {
        "rule": rule,
        "form": form or RuleForm(instance=rule),
        "preview": rule_preview(rule),
        "logs": AssignmentLog.objects.filter(rule=rule).select_related("customer", "from_user", "to_user")[:50],
    }
    return render(request, "routing/rule_detail.html", context, status=status)


@role_required(Role.ADMIN)
@require_GET
def rule_detail(request, rule_id):
    return _rule_page(request, get_object_or_404(AssignmentRule, pk=rule_id))


@role_required(Role.ADMIN)
@require_POST
def rule_update(request, rule_id):
    rule = get_object_or_404(AssignmentRule, pk=rule_id)
    form = RuleForm(request.POST, instance=rule)
    saved = _save(request, rule, form)
    if saved is None:
        return _rule_page(request, AssignmentRule.objects.get(pk=rule_id), form=form, status=400)
    messages.success(request, f"The rule “{saved.name}” is saved.")
    return redirect("routing:rule_detail", rule_id=saved.pk)


@role_required(Role.ADMIN)
@require_POST
def rule_remove(request, rule_id):
    rule = AssignmentRule.objects.filter(pk=rule_id).first()
    if rule is None:  # deleted already (a double submit)
        messages.info(request, "That rule is deleted already.")
        return redirect("routing:rules")
    rule_delete(rule=rule, user=request.user)
    messages.success(request, f"The rule “{rule.name}” is deleted.")
    return redirect("routing:rules")


def _away_page(request, form=None, status=200):
    user = request.user
    reps = User.objects.filter(role=Role.SALES_REP).select_related("away").order_by("username")
    context = {
        "form": form or AwayForm(user=user),
        "reps": reps if user.is_admin else reps.filter(pk=user.pk),
        "mine": is_away(user),
    }
    return render(request, "routing/away.html", context, status=status)


@role_required(*LEAD_ROLES)
@require_GET
def away(request):
    return _away_page(request)


@role_required(*LEAD_ROLES)
@require_POST
def away_set(request):
    form = AwayForm(request.POST, user=request.user)
    if not form.is_valid():
        return _away_page(request, form=form, status=400)
    rep = form.cleaned_data.get("rep") or request.user
    try:
        rep_away_set(rep=rep, until=form.cleaned_data["until"], user=request.user)
    except ValidationError as error:
        service_errors_add(form, error)
        return _away_page(request, form=form, status=400)
    until = form.cleaned_data["until"]
    who = "You are" if rep == request.user else f"{rep.display_name} is"
    messages.success(request, f"{who} away {f'until {until:%d %b %Y}' if until else 'until marked back'}.")
    return redirect("routing:away")


@role_required(*LEAD_ROLES)
@require_POST
def away_clear(request, user_id):
    rep = get_object_or_404(User, pk=user_id, role=Role.SALES_REP)
    rep_away_clear(rep=rep, user=request.user)
    messages.success(request, f"{'You are' if rep == request.user else rep.display_name + ' is'} back: taking leads.")
    return redirect("routing:away")


@role_required(*LEAD_ROLES)
@require_GET
def lead_panel(request, customer_id):
    """The lead page's "Assignments" (a fragment it loads with htmx)."""
    customer = get_object_or_404(Customer.objects.filter(lead_scope(request.user, owner="owner")), pk=customer_id)
    context = {"logs": lead_assignments(customer.pk), "customer": customer}
    return render(request, "routing/fragment_lead_assignments.html", context)
