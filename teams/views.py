from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from .access import role_required
from .forms import PersonEditForm, PersonInviteForm
from .models import Role, Team, User
from .services import person_invite, person_update


@role_required(Role.ADMIN)
@require_GET
def people(request):
    people = User.objects.select_related("team").order_by("team__name", "username")
    team_slug = request.GET.get("team", "")
    role = request.GET.get("role", "")
    if team_slug:
        people = people.filter(team__slug=team_slug)
    if role in Role.values:
        people = people.filter(role=role)
    context = {
        "people": people,
        "teams": Team.objects.all(),
        "roles": Role.choices,
        "selected_team": team_slug,
        "selected_role": role,
    }
    return render(request, "teams/people.html", context)


@role_required(Role.ADMIN)
def person_new(request):
    form = PersonInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = person_invite(**form.cleaned_data, base_url=request.build_absolute_uri("/"))
        messages.success(request, f"{person.display_name} is invited; an email with a sign-in link is on its way.")
        return redirect("teams:people")
    return render(request, "teams/person_form.html", {"form": form, "title": "Invite a person"})


@role_required(Role.ADMIN)
def person_edit(request, person_id):
    person = get_object_or_404(User, pk=person_id)
    form = PersonEditForm(request.POST or None, instance=User.objects.get(pk=person.pk))
    if request.method == "POST" and form.is_valid():
        try:
            person_update(person=person, changed_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{person.display_name} is saved.")
            return redirect("teams:people")
    title = f"Edit {person.display_name}"
    return render(request, "teams/person_form.html", {"form": form, "title": title, "person": person})
