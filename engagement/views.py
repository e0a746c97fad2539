"""Engagement pages, for admins: the event types (list, add, edit). Events come through the API and imports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ops.forms import service_errors_add
from teams.access import role_required
from teams.models import Role

from .forms import EventTypeForm
from .models import EventType
from .selectors import event_types
from .services import event_type_save


def _list_page(request, form: EventTypeForm | None = None, status: int = 200):
    context = {"event_types": event_types(), "form": form or EventTypeForm(), "active": "types"}
    return render(request, "engagement/type_list.html", context, status=status)


@role_required(Role.ADMIN)
@require_GET
def type_list(request):
    return _list_page(request)


@role_required(Role.ADMIN)
@require_POST
def type_create(request):
    form = EventTypeForm(request.POST)
    if form.is_valid():
        try:
            event_type = event_type_save(**form.cleaned_data)
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, f"Event type “{event_type.name}” added.")
            return redirect("engagement:types")
    return _list_page(request, form, status=400)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def type_edit(request, type_id):
    event_type = get_object_or_404(EventType, pk=type_id)
    form = EventTypeForm(request.POST or None, instance=event_type)
    if request.method == "POST":
        if form.is_valid():
            try:
                event_type_save(event_type=event_type, **form.cleaned_data)
            except ValidationError as error:
                service_errors_add(form, error)
            else:
                messages.success(request, f"Event type “{event_type.name}” saved.")
                return redirect("engagement:types")
        status = 400
    else:
        status = 200
    return render(request, "engagement/type_edit.html", {"form": form, "event_type": event_type}, status=status)
