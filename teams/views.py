from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from .access import ANY_ROLE, role_required
from .forms import ApiTokenForm, PersonEditForm, PersonInviteForm
from .models import Role, Team, User
from .services import api_token_create, api_token_revoke, person_invite, person_update


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


def _api_tokens_page(request, form, new_key=""):
    context = {"tokens": request.user.api_tokens.all(), "form": form, "new_key": new_key}
    return render(request, "teams/api_tokens.html", context)


@role_required(*ANY_ROLE)
@require_GET
def api_tokens(request):
    return _api_tokens_page(request, ApiTokenForm())


@role_required(*ANY_ROLE)
@require_POST
def api_token_create_view(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _api_tokens_page(request, form)
    _, key = api_token_create(user=request.user, name=form.cleaned_data["name"])
    # Rendered, not redirected: the key must never travel in a URL or be stored to show it later.
    response = _api_tokens_page(request, ApiTokenForm(), new_key=key)
    response["Cache-Control"] = "no-store"
    return response


@role_required(*ANY_ROLE)
@require_POST
def api_token_revoke_view(request, token_id):
    token = request.user.api_tokens.filter(pk=token_id).first()
    if token is None:
        # Already gone, or someone else's: say nothing about which.
        messages.error(request, "No token of yours has this number.")
        return redirect("teams:api_tokens")
    api_token_revoke(token=token, user=request.user)
    messages.success(request, f"The token “{token.name}” is revoked; clients using it are refused from now on.")
    return redirect("teams:api_tokens")


def login_locked_out(request, original_response=None, credentials=None):
    """The sign-in page's answer once django-axes locks a username and address out (AXES_LOCKOUT_CALLABLE).

    Every attempt while locked out starts the wait again, so the time to try again is from now.
    """
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    context = {
        "minutes": minutes,
        "retry_at": timezone.localtime() + timedelta(minutes=minutes),
        "failure_limit": settings.LOGIN_FAILURE_LIMIT,
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
