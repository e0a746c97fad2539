"""The profile pages: the list, a profile with its sections, exemplars, checklist and review date.

Everyone signed in reads. Admins and facilitators change anything; members and
sales reps propose items and exemplars and edit (or remove) their own while
still proposed. Every change answers htmx with the fragment it changed (400
with the form's messages, 409 when someone changed the item meanwhile, with
their text), and a plain form post with a redirect.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ops.forms import service_errors_add
from teams.access import ANY_ROLE, has_role, role_required
from teams.models import Role

from . import selectors
from .checklist import checklist_progress
from .forms import (
    ChecklistMarkForm,
    CustomerSearchForm,
    ExemplarForm,
    ExemplarStatusForm,
    ItemForm,
    ItemStatusForm,
    ProfileForm,
    ReviewForm,
)
from .models import Exemplar, ItemStatus, Profile, ProfileItem, Section
from .services import exemplars, items, profiles

DECIDERS = (Role.ADMIN, Role.FACILITATOR)
# The buttons that decide on an item or an exemplar: (status, label).
STATUS_ACTIONS = [(ItemStatus.AGREED, "Agree"), (ItemStatus.REJECTED, "Reject"), (ItemStatus.PROPOSED, "Reopen")]


def may_decide(user) -> bool:
    return has_role(user, *DECIDERS)


def may_edit_item(user, item: ProfileItem) -> bool:
    return may_decide(user) or (item.author_id == user.pk and item.status == ItemStatus.PROPOSED)


def may_remove_exemplar(user, exemplar: Exemplar) -> bool:
    return may_decide(user) or (exemplar.added_by_id == user.pk and exemplar.status == ItemStatus.PROPOSED)


def _detail_url(profile_id: int, anchor: str = "") -> str:
    url = reverse("profiles:detail", kwargs={"profile_id": profile_id})
    return f"{url}#{anchor}" if anchor else url


# The list


def _list_page(request, *, form=None, status=200):
    context = {
        "profiles": selectors.profile_list(),
        "form": form or ProfileForm(),
        "may_create": may_decide(request.user),
    }
    return render(request, "profiles/profile_list.html", context, status=status)


@role_required(*ANY_ROLE)
@require_GET
def profile_list(request):
    return _list_page(request)


@role_required(*DECIDERS)
@require_POST
def profile_create(request):
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            profile = profiles.profile_create(**form.cleaned_data, user=request.user)
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, f"Profile “{profile.name}” is created.")
            return redirect("profiles:detail", profile_id=profile.pk)
    return _list_page(request, form=form, status=400)


# A profile


def _profile_page(request, profile: Profile, *, status=200, add_forms=None, exemplar_form=None, review_form=None):
    decide = may_decide(request.user)
    add_forms = add_forms or {}
    sections = [
        (
            section,
            add_forms.get(section.section)
            or ItemForm(section=section.section, may_decide=decide, prefix=f"add-{section.section}"),
        )
        for section in selectors.profile_sections(profile)
    ]
    search = CustomerSearchForm(request.GET)
    query = search.cleaned_data["customer_q"] if search.is_valid() else ""
    checklist = selectors.profile_checklist(profile)
    context = {
        "profile": profile,
        "sections": sections,
        "exemplars": selectors.profile_exemplars(profile),
        "exemplar_form": exemplar_form or ExemplarForm(),
        "search_form": search if query else CustomerSearchForm(),
        "customers": selectors.customer_matches(profile, query),
        "customer_query": query,
        "checklist": checklist,
        "progress": checklist_progress(checklist),
        "review_due": selectors.profile_review_due(profile),
        "review_form": review_form or ReviewForm(initial={"review_on": profile.review_on}),
        "may_decide": decide,
        "status_actions": STATUS_ACTIONS,
    }
    return render(request, "profiles/profile_detail.html", context, status=status)


@role_required(*ANY_ROLE)
@require_GET
def profile_detail(request, profile_id):
    return _profile_page(request, get_object_or_404(Profile, pk=profile_id))


@role_required(*ANY_ROLE)
@require_GET
def customer_search(request, profile_id):
    """The customers matching the search, as the options of the exemplar form's select (htmx)."""
    profile = get_object_or_404(Profile, pk=profile_id)
    form = CustomerSearchForm(request.GET)
    query = form.cleaned_data["customer_q"] if form.is_valid() else ""
    context = {"customers": selectors.customer_matches(profile, query), "customer_query": query}
    return render(request, "profiles/fragment_customer_choices.html", context)


@role_required(*DECIDERS)
@require_POST
def review_set(request, profile_id):
    profile = get_object_or_404(Profile, pk=profile_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, profile, status=400, review_form=form)
    profiles.profile_review_set(profile=profile, review_on=form.cleaned_data["review_on"])
    messages.success(request, "The review date is saved.")
    return redirect(_detail_url(profile.pk, "review"))


@role_required(*DECIDERS)
@require_POST
def checklist_mark(request, profile_id):
    profile = get_object_or_404(Profile, pk=profile_id)
    form = ChecklistMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That is not a checklist step.")
        return redirect(_detail_url(profile.pk, "checklist"))
    profiles.checklist_mark_set(profile=profile, user=request.user, **form.cleaned_data)
    if request.htmx:
        checklist = selectors.profile_checklist(profile)
        context = {"profile": profile, "checklist": checklist, "progress": checklist_progress(checklist)}
        return render(request, "profiles/fragment_checklist.html", context | {"may_decide": True})
    return redirect(_detail_url(profile.pk, "checklist"))


# Items


def _item(item_id) -> ProfileItem:
    return get_object_or_404(ProfileItem.objects.select_related("profile", "author"), pk=item_id)


def _item_fragment(request, item: ProfileItem, *, status=200, conflict=None):
    context = {
        "item": item,
        "may_decide": may_decide(request.user),
        "conflict": conflict,
        "status_actions": STATUS_ACTIONS,
    }
    return render(request, "profiles/fragment_item.html", context, status=status)


def _item_form(request, item: ProfileItem, form: ItemForm, *, status=200, current: ProfileItem | None = None):
    """The edit form, in the page (htmx) or on its own page; ``current`` is the other person's version after a 409."""
    context = {"item": item, "form": form, "current": current, "profile": item.profile}
    template = "profiles/fragment_item_form.html" if request.htmx else "profiles/item_edit.html"
    return render(request, template, context, status=status)


@role_required(*ANY_ROLE)
@require_POST
def item_add(request, profile_id, section):
    profile = get_object_or_404(Profile, pk=profile_id)
    if section not in Section.values:
        raise Http404("No such section.")
    decide = may_decide(request.user)
    form = ItemForm(request.POST, section=section, may_decide=decide, prefix=f"add-{section}")
    if not form.is_valid():
        return _profile_page(request, profile, status=400, add_forms={section: form})
    item, created = items.profile_item_propose(
        profile=profile,
        section=section,
        text=form.cleaned_data["text"],
        details=form.cleaned_data["details"],
        author=request.user,
        status=(form.cleaned_data.get("status") or ItemStatus.PROPOSED) if decide else ItemStatus.PROPOSED,
    )
    if created:
        messages.success(request, "The item is added.")
    else:
        messages.info(request, "This section already has that item: nothing was added.")
    return redirect(_detail_url(profile.pk, f"item-{item.pk}"))


@role_required(*ANY_ROLE)
@require_http_methods(["GET", "POST"])
def item_edit(request, item_id):
    item = _item(item_id)
    if not may_edit_item(request.user, item):
        raise PermissionDenied("Only admins, facilitators and the author of a proposed item may edit it.")
    decide = may_decide(request.user)
    if request.method == "GET":
        return _item_form(request, item, ItemForm.for_item(item, may_decide=decide))
    form = ItemForm.for_item(item, may_decide=decide, data=request.POST)
    if not form.is_valid():
        return _item_form(request, item, form, status=400)
    try:
        item = items.profile_item_update(
            item=item,
            user=request.user,
            revision=form.cleaned_data["revision"],
            text=form.cleaned_data["text"],
            details=form.cleaned_data["details"],
            status=(form.cleaned_data.get("status") or None) if decide else None,
        )
    except items.ItemChangedMeanwhile as error:
        return _conflict(request, error.item, form)
    if request.htmx:
        return _item_fragment(request, item)
    messages.success(request, "The item is saved.")
    return redirect(_detail_url(item.profile_id, f"item-{item.pk}"))


def _conflict(request, current: ProfileItem, form: ItemForm):
    """409: keep what the person typed, show the other person's version, and arm the form with its revision.

    Saving again is then a choice made knowing the other text.
    """
    data = form.data.copy()
    data[form.add_prefix("revision")] = current.revision
    retry = ItemForm.for_item(current, may_decide=may_decide(request.user), data=data)
    retry.is_valid()
    return _item_form(request, current, retry, status=409, current=current)


@role_required(*DECIDERS)
@require_POST
def item_status(request, item_id):
    item = _item(item_id)
    form = ItemStatusForm(request.POST)
    if not form.is_valid():
        return _item_fragment(request, item, status=400)
    try:
        item = items.profile_item_update(
            item=item, user=request.user, revision=form.cleaned_data["revision"], status=form.cleaned_data["status"]
        )
    except items.ItemChangedMeanwhile as error:
        conflict = "Someone changed this item meanwhile: here it is now. Decide again."
        if request.htmx:
            return _item_fragment(request, error.item, status=409, conflict=conflict)
        messages.error(request, conflict)
        return redirect(_detail_url(item.profile_id, f"item-{item.pk}"))
    if request.htmx:
        return _item_fragment(request, item)
    messages.success(request, f"The item is {item.get_status_display().lower()}.")
    return redirect(_detail_url(item.profile_id, f"item-{item.pk}"))


@role_required(*ANY_ROLE)
@require_GET
def item_history(request, item_id):
    item = _item(item_id)
    context = {"item": item, "changes": selectors.item_history(item), "profile": item.profile}
    template = "profiles/fragment_history.html" if request.htmx else "profiles/item_history.html"
    return render(request, template, context)


# Exemplars


@role_required(*ANY_ROLE)
@require_POST
def exemplar_add(request, profile_id):
    profile = get_object_or_404(Profile, pk=profile_id)
    form = ExemplarForm(request.POST)
    if form.is_valid():
        status = ItemStatus.AGREED if may_decide(request.user) else ItemStatus.PROPOSED
        try:
            exemplar = exemplars.exemplar_add(profile=profile, user=request.user, status=status, **form.cleaned_data)
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, f"{exemplar.customer.name} is an exemplar now.")
            return redirect(_detail_url(profile.pk, "exemplars"))
    return _profile_page(request, profile, status=400, exemplar_form=form)


@role_required(*DECIDERS)
@require_POST
def exemplar_status(request, exemplar_id):
    exemplar = get_object_or_404(Exemplar.objects.select_related("profile", "customer"), pk=exemplar_id)
    form = ExemplarStatusForm(request.POST)
    if form.is_valid():
        exemplars.exemplar_status_set(exemplar=exemplar, status=form.cleaned_data["status"])
        messages.success(request, f"{exemplar.customer.name} is {exemplar.get_status_display().lower()}.")
    return redirect(_detail_url(exemplar.profile_id, "exemplars"))


@role_required(*ANY_ROLE)
@require_POST
def exemplar_remove(request, exemplar_id):
    exemplar = get_object_or_404(Exemplar.objects.select_related("customer"), pk=exemplar_id)
    if not may_remove_exemplar(request.user, exemplar):
        raise PermissionDenied("Only admins, facilitators and whoever proposed it may remove an exemplar.")
    exemplars.exemplar_remove(exemplar=exemplar)
    messages.success(request, f"{exemplar.customer.name} is no longer an exemplar.")
    return redirect(_detail_url(exemplar.profile_id, "exemplars"))
