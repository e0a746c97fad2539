"""Who is in a workshop: the facilitator invites more people by team, or takes back an invitation of someone
who has not proposed, voted or commented yet."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from teams.access import role_required
from teams.models import Role, User

from . import access
from .forms import InviteForm
from .models import Workshop
from .selectors import seats_with_activity
from .services.room import WorkshopRefused, participant_remove, participants_invite

FACILITATORS = (Role.ADMIN, Role.FACILITATOR)


def _workshop(request, workshop_id) -> Workshop:
    workshop = get_object_or_404(Workshop.objects.select_related("profile", "facilitator"), pk=workshop_id)
    access.require_facilitator(workshop, request.user)
    return workshop


def _page(request, workshop: Workshop, *, form: InviteForm | None = None, status: int = 200, notice: str = ""):
    context = {
        "workshop": workshop,
        "seats": seats_with_activity(workshop),
        "form": form or InviteForm(workshop=workshop),
        "notice": notice,
    }
    return render(request, "workshops/people.html", context, status=status)


@role_required(*FACILITATORS)
@require_GET
def people(request, workshop_id):
    return _page(request, _workshop(request, workshop_id))


@role_required(*FACILITATORS)
@require_POST
def invite(request, workshop_id):
    workshop = _workshop(request, workshop_id)
    form = InviteForm(request.POST, workshop=workshop)
    if not form.is_valid():
        return _page(request, workshop, form=form, status=400, notice="Nobody was invited: see below.")
    try:
        added = participants_invite(
            workshop=workshop,
            users=form.cleaned_data["users"],
            user=request.user,
            base_url=request.build_absolute_uri("/"),
        )
    except WorkshopRefused as refusal:
        return _page(request, workshop, status=409, notice=str(refusal))
    if added:
        messages.success(request, f"{added} {'person is' if added == 1 else 'people are'} invited.")
    else:
        messages.info(request, "They were all invited already: nobody new.")
    return redirect("workshops:people", workshop_id=workshop.pk)


@role_required(*FACILITATORS)
@require_POST
def uninvite(request, workshop_id, user_id) -> HttpResponse:
    workshop = _workshop(request, workshop_id)
    person = get_object_or_404(User, pk=user_id)
    try:
        removed = participant_remove(workshop=workshop, person=person, user=request.user)
    except WorkshopRefused as refusal:
        return _page(request, workshop, status=409, notice=str(refusal))
    if removed:
        messages.success(request, f"{person.display_name} is no longer invited.")
    else:
        messages.info(request, f"{person.display_name} was not invited (any more): nothing changed.")
    return redirect("workshops:people", workshop_id=workshop.pk)
