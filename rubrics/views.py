"""The rubric editor (admins): profiles and rubrics, the draft editor, the diff of two versions, the preview.

Every change to a draft answers htmx with the editor fragment (200, 400 with
the form's messages, 409 when someone else changed the draft meanwhile), and a
plain form post with a redirect, or the page itself when something is refused.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ops.forms import service_errors_add
from profiles.models import Profile
from profiles.services.profiles import profile_create
from teams.access import role_required
from teams.models import Role

from .forms import CriterionForm, ProfileForm, RubricAudienceForm, RubricForm, VersionSettingsForm
from .models import Criterion, Rubric, RubricVersion, VersionStatus
from .preview import caps_words, criterion_condition, criterion_points, version_diff, version_preview
from .problems import Problems, rubric_problems
from .selectors import version_spec
from .services.audience import rubric_audience_set
from .services.drafts import (
    DIRECTIONS,
    DraftChangedMeanwhile,
    VersionNotEditable,
    criterion_add,
    criterion_move,
    criterion_remove,
    criterion_update,
    draft_create,
    rubric_create,
    version_settings_update,
)


def _publish_url(version: RubricVersion) -> str | None:
    """The publish action, once the publishing views exist."""
    try:
        return reverse("rubrics:version_publish", kwargs={"version_id": version.pk})
    except NoReverseMatch:
        return None


# Profiles and rubrics


def _list_page(request, *, profile_form=None, rubric_forms=None, status=200):
    profiles = Profile.objects.prefetch_related("rubrics__versions")
    rubric_forms = rubric_forms or {}
    context = {
        "profiles": [(profile, rubric_forms.get(profile.pk) or RubricForm()) for profile in profiles],
        "profile_form": profile_form or ProfileForm(),
    }
    return render(request, "rubrics/rubric_list.html", context, status=status)


@role_required(Role.ADMIN)
@require_GET
def rubric_list(request):
    return _list_page(request)


@role_required(Role.ADMIN)
@require_POST
def profile_create_view(request):
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            profile = profile_create(**form.cleaned_data, user=request.user)
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, f"Profile “{profile.name}” is created.")
            return redirect("rubrics:list")
    return _list_page(request, profile_form=form, status=400)


@role_required(Role.ADMIN)
@require_POST
def rubric_create_view(request, profile_id):
    profile = get_object_or_404(Profile, pk=profile_id)
    form = RubricForm(request.POST)
    if form.is_valid():
        try:
            rubric = rubric_create(profile=profile, name=form.cleaned_data["name"], user=request.user)
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, f"Rubric “{rubric.name}” is created with an empty draft.")
            return redirect("rubrics:version_detail", version_id=rubric.versions.get().pk)
    return _list_page(request, rubric_forms={profile.pk: form}, status=400)


@role_required(Role.ADMIN)
@require_GET
def rubric_detail(request, rubric_id):
    rubric = get_object_or_404(Rubric.objects.select_related("profile"), pk=rubric_id)
    return _rubric_page(request, rubric, RubricAudienceForm(initial={"audience": rubric.audience}))


def _rubric_page(request, rubric: Rubric, audience_form: RubricAudienceForm, status=200):
    versions = rubric.versions.select_related("created_by", "published_by").order_by("-number")
    context = {
        "rubric": rubric,
        "versions": versions,
        "has_draft": any(version.is_draft for version in versions),
        "audience_form": audience_form,
    }
    return render(request, "rubrics/rubric_detail.html", context, status=status)


@role_required(Role.ADMIN)
@require_POST
def rubric_audience(request, rubric_id):
    """Mark whom the rubric's leads are for (new business, expansion, both); the lead list follows at once."""
    rubric = get_object_or_404(Rubric.objects.select_related("profile"), pk=rubric_id)
    form = RubricAudienceForm(request.POST)
    if form.is_valid():
        try:
            rubric_audience_set(rubric=rubric, audience=form.cleaned_data["audience"], user=request.user)
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, f"“{rubric.name}” now lists leads for {rubric.get_audience_display().lower()}.")
            return redirect("rubrics:rubric_detail", rubric_id=rubric.pk)
    rubric.refresh_from_db()
    return _rubric_page(request, rubric, form, status=400)


@role_required(Role.ADMIN)
@require_POST
def draft_create_view(request, rubric_id):
    rubric = get_object_or_404(Rubric, pk=rubric_id)
    try:
        draft = draft_create(rubric=rubric, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("rubrics:rubric_detail", rubric_id=rubric.pk)
    messages.success(request, f"Draft version {draft.number} is ready to edit.")
    return redirect("rubrics:version_detail", version_id=draft.pk)


# The draft editor


def _criterion_rows(version: RubricVersion, editing: int | None, edit_form: CriterionForm | None) -> list[dict]:
    criteria = list(version.criteria.order_by("position", "id"))
    rows = []
    for index, criterion in enumerate(criteria):
        form = None
        if version.is_draft and criterion.pk == editing:
            form = edit_form or CriterionForm.for_criterion(criterion, version.revision)
        rows.append(
            {
                "criterion": criterion,
                "condition": criterion_condition(criterion),
                "points": criterion_points(criterion),
                "first": index == 0,
                "last": index == len(criteria) - 1,
                "form": form,
            }
        )
    return rows


def _editor(request, version_id, *, status=200, conflict="", editing=None, fragment=None, **forms):
    """The editor: the whole page, or its fragment for htmx, with the draft as it is now."""
    version = get_object_or_404(RubricVersion.objects.select_related("rubric__profile", "created_by"), pk=version_id)
    if conflict:  # the person's forms held a stale revision: show the current state instead
        forms = {}
    problems = rubric_problems(version_spec(version)) if version.is_draft else Problems()
    context = {
        "version": version,
        "rubric": version.rubric,
        "rows": _criterion_rows(version, editing, forms.get("edit_form")),
        "caps": caps_words(version.caps) if version.caps else "",
        "settings_form": forms.get("settings_form") or VersionSettingsForm.for_version(version),
        "add_form": forms.get("add_form") or CriterionForm.for_criterion(None, version.revision),
        "problems": [message for messages_ in problems.criteria.values() for m in messages_.values() for message in m]
        + problems.rubric,
        "conflict": conflict,
        "publish_url": _publish_url(version) if version.is_draft else None,
        "other_versions": version.rubric.versions.exclude(pk=version.pk).order_by("-number"),
    }
    fragment = bool(request.htmx) if fragment is None else fragment
    template = "rubrics/fragment_editor.html" if fragment else "rubrics/version_detail.html"
    return render(request, template, context, status=status)


def _changed(request, version_id, message: str):
    if request.htmx:
        return _editor(request, version_id)
    messages.success(request, message)
    return redirect("rubrics:version_detail", version_id=version_id)


def _refused(request, version_id, error: Exception):
    """409: the draft changed meanwhile, or is no longer a draft."""
    return _editor(request, version_id, status=409, conflict=str(error))


@role_required(Role.ADMIN)
@require_GET
def version_detail(request, version_id):
    editing = request.GET.get("edit")
    return _editor(request, version_id, editing=int(editing) if editing and editing.isdigit() else None)


@role_required(Role.ADMIN)
@require_GET
def editor_fragment(request, version_id):
    return _editor(request, version_id, fragment=True)


@role_required(Role.ADMIN)
@require_POST
def version_settings(request, version_id):
    version = get_object_or_404(RubricVersion, pk=version_id)
    form = VersionSettingsForm.for_version(version, data=request.POST)
    if form.is_valid():
        try:
            version_settings_update(
                version=version, **form.service_kwargs(), revision=form.cleaned_data["revision"], user=request.user
            )
        except (DraftChangedMeanwhile, VersionNotEditable) as error:
            return _refused(request, version_id, error)
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            return _changed(request, version_id, "The draft's settings are saved.")
    return _editor(request, version_id, status=400, settings_form=form)


@role_required(Role.ADMIN)
@require_POST
def criterion_add_view(request, version_id):
    version = get_object_or_404(RubricVersion, pk=version_id)
    form = CriterionForm.for_criterion(None, version.revision, data=request.POST)
    if form.is_valid():
        try:
            criterion_add(
                version=version, **form.service_kwargs(), revision=form.cleaned_data["revision"], user=request.user
            )
        except (DraftChangedMeanwhile, VersionNotEditable) as error:
            return _refused(request, version_id, error)
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            return _changed(request, version_id, "The criterion is added.")
    return _editor(request, version_id, status=400, add_form=form)


def _criterion(criterion_id) -> Criterion:
    return get_object_or_404(Criterion.objects.select_related("version"), pk=criterion_id)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def criterion_edit(request, criterion_id):
    """GET: the editor with this criterion's row as a form; POST: save it."""
    criterion = _criterion(criterion_id)
    version_id = criterion.version_id
    if request.method == "GET":
        return _editor(request, version_id, editing=criterion.pk)
    form = CriterionForm.for_criterion(criterion, criterion.version.revision, data=request.POST)
    if form.is_valid():
        try:
            criterion_update(
                criterion=criterion,
                **form.service_kwargs(),
                revision=form.cleaned_data["revision"],
                user=request.user,
            )
        except (DraftChangedMeanwhile, VersionNotEditable) as error:
            return _refused(request, version_id, error)
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            return _changed(request, version_id, "The criterion is saved.")
    return _editor(request, version_id, status=400, editing=criterion.pk, edit_form=form)


def _revision(request) -> int | None:
    revision = request.POST.get("revision", "")
    return int(revision) if revision.isdigit() else None


@role_required(Role.ADMIN)
@require_POST
def criterion_remove_view(request, criterion_id):
    criterion = _criterion(criterion_id)
    version_id, revision = criterion.version_id, _revision(request)
    if revision is None:
        return _editor(request, version_id, status=400)
    try:
        criterion_remove(criterion=criterion, revision=revision, user=request.user)
    except (DraftChangedMeanwhile, VersionNotEditable) as error:
        return _refused(request, version_id, error)
    return _changed(request, version_id, "The criterion is removed.")


@role_required(Role.ADMIN)
@require_POST
def criterion_move_view(request, criterion_id):
    criterion = _criterion(criterion_id)
    version_id, revision = criterion.version_id, _revision(request)
    direction = request.POST.get("direction")
    if revision is None or direction not in DIRECTIONS:
        return _editor(request, version_id, status=400)
    try:
        criterion_move(criterion=criterion, direction=direction, revision=revision, user=request.user)
    except (DraftChangedMeanwhile, VersionNotEditable) as error:
        return _refused(request, version_id, error)
    return _changed(request, version_id, f"The criterion is moved {direction}.")


# Diff and preview


@role_required(Role.ADMIN)
@require_GET
def version_diff_view(request, rubric_id):
    rubric = get_object_or_404(Rubric.objects.select_related("profile"), pk=rubric_id)
    versions = list(rubric.versions.order_by("-number"))
    by_number = {str(version.number): version for version in versions}
    published = next((version for version in versions if version.status == VersionStatus.PUBLISHED), None)
    default_to = versions[0] if versions else None
    default_from = published if published and published != default_to else (versions[1] if len(versions) > 1 else None)
    older = by_number.get(request.GET.get("from", ""), default_from)
    newer = by_number.get(request.GET.get("to", ""), default_to)
    diff = version_diff(older=older, newer=newer) if older and newer else None
    context = {"rubric": rubric, "versions": versions, "older": older, "newer": newer, "diff": diff}
    return render(request, "rubrics/version_diff.html", context)


@role_required(Role.ADMIN)
@require_GET
def version_preview_view(request, version_id):
    version = get_object_or_404(RubricVersion.objects.select_related("rubric__profile"), pk=version_id)
    preview = version_preview(version=version)
    return render(request, "rubrics/version_preview.html", {"version": version, "preview": preview})
