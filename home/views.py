from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from leads.selectors import lead_counts_new
from teams.access import ANY_ROLE, role_required
from teams.models import Role
from workshops.selectors import workshops_for

from . import selectors
from .health import broker_status, database_status


@role_required(*ANY_ROLE)
@require_GET
def home(request):
    person = request.user
    context = {"person": person}
    if person.role == Role.ADMIN:
        context["people_by_team"] = selectors.people_by_team()
        context["people_by_role"] = selectors.people_by_role()
        context["customers_by_stage"] = selectors.customers_by_stage()
        context["waiting"] = selectors.admin_waiting(today=timezone.localdate())
    elif person.role == Role.SALES_REP:
        context["customers_by_stage"] = selectors.customers_by_stage(owner=person)
        context["top_accounts"] = selectors.top_accounts(owner=person)
        context["new_leads"] = lead_counts_new(user=person)
    elif person.role == Role.FACILITATOR:
        context["people_by_team"] = selectors.people_by_team()
        context["workshops"] = selectors.workshops_waiting(workshops_for(person).exclude(status="closed")[:5])
    else:
        context["teammates"] = selectors.teammates(person=person)
        context["workshops"] = selectors.workshops_waiting(workshops_for(person).exclude(status="closed")[:5])
    return render(request, f"home/home_{person.role}.html", context)


@require_GET
@never_cache
def healthz(request):
    """Public on purpose (monitors do not sign in); it reveals only up or down."""
    checks = {"database": database_status(connection), "broker": broker_status()}
    healthy = all(state in ("up", "in-process") for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)
