import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from customers.models import Customer
from leads.models import SavedViewKind
from leads.services.saved_views import saved_view_save
from ops.forms import service_errors_add
from teams.access import ANY_ROLE, role_required
from teams.models import Role

from .forms import PER_PAGE, AssignForm, LookalikeQueryForm, SavedSearchForm
from .selectors import (
    MAX_RANK,
    BadSeed,
    LookalikeFilters,
    NotReady,
    lookalikes_find,
    seed_accounts,
    similarity_model_latest,
    similarity_model_ready,
    weight_rows,
)
from .services import lookalikes_assign, similarity_model_request

PANEL_SIZE = 5
LEAD_ROLES = (Role.ADMIN, Role.SALES_REP)


@role_required(*ANY_ROLE)
@require_GET
def search(request):
    """The base ranked by similarity to a seed, filtered, paged; with no seed, what a seed can be."""
    return _search(request, request.GET)


def _search(request, query: QueryDict, *, assign_form=None, save_form=None, status=200):
    form = LookalikeQueryForm(query or None, user=request.user)
    context = {"form": form, "page": None, "error": None, "model": similarity_model_ready(), "seeds": form.seeds}
    if query:
        context.update(_found(form, number=None, per_page=PER_PAGE))
        if context["error"] and status == 200:
            status = 400
    if context["page"] is not None:
        seed_query = context["page"].seed.query
        context["query"] = urlencode({**seed_query, **form.filter_query()}, doseq=True)
        leads = request.user.role in LEAD_ROLES
        context["assign_form"] = assign_form or (AssignForm(user=request.user) if leads else None)
        context["save_form"] = save_form or (SavedSearchForm(user=request.user) if leads else None)
    return render(request, "lookalikes/search.html", context, status=status)


def _found(form: LookalikeQueryForm, *, number: int | None, per_page: int) -> dict:
    """The page of results, or the reason there is none (a bad query, an unknown seed, no model yet)."""
    if not form.is_valid():
        return {"page": None, "error": " ".join(message for messages_ in form.errors.values() for message in messages_)}
    try:
        seed = form.seed()
        page = lookalikes_find(
            seed=seed, filters=form.filters(), number=number or form.page_number(), per_page=per_page
        )
    except (BadSeed, NotReady) as error:
        return {"page": None, "error": str(error)}
    return {"page": page, "error": None}


@role_required(*ANY_ROLE)
@require_GET
def panel(request, customer_id):
    """The "Similar accounts" panel of a customer's page and a lead's page (a fragment htmx loads)."""
    customer = get_object_or_404(Customer, pk=customer_id)
    context = {"customer": customer, "page": None, "error": None}
    try:
        context["page"] = lookalikes_find(
            seed=seed_accounts([customer.external_id]), filters=LookalikeFilters(), number=1, per_page=PANEL_SIZE
        )
    except (BadSeed, NotReady) as error:
        context["error"] = str(error)
    return render(request, "lookalikes/fragment_panel.html", context)


EXPORT_HEADER = ["rank", "external_id", "name", "similarity", "because", "unlike", "industry", "country", "owner"]


@role_required(*ANY_ROLE)
@require_GET
def export_csv(request):
    """Every result of a search (down to rank MAX_RANK) as CSV."""
    form = LookalikeQueryForm(request.GET, user=request.user)
    found = _found(form, number=1, per_page=MAX_RANK)
    if found["page"] is None:
        return HttpResponse(found["error"], status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="similar-accounts.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_HEADER)
    for rank, result in enumerate(found["page"].results, start=1):
        customer = result.customer
        writer.writerow(
            [
                rank,
                _cell(customer.external_id),
                _cell(customer.name),
                result.similarity,
                _cell("; ".join(trait.text for trait in result.because)),
                _cell(result.unlike.against if result.unlike else ""),
                _cell(customer.industry),
                _cell(customer.country),
                _cell(customer.owner.username if customer.owner else ""),
            ]
        )
    return response


def _cell(text: str) -> str:
    """A spreadsheet must not run a cell: text starting like a formula gets a leading quote."""
    return f"'{text}" if text and text[0] in "=+-@\t\r" else text


@role_required(*LEAD_ROLES)
@require_POST
def assign(request):
    """Send the chosen accounts to a rep (admins) or claim them (reps); back to the same search."""
    form = AssignForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            count = lookalikes_assign(
                user=request.user, customer_ids=form.cleaned_data["customer"], owner=form.chosen_owner()
            )
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            who = "you" if form.chosen_owner() == request.user else form.chosen_owner().display_name
            messages.success(
                request, f"{count} account{'s' if count != 1 else ''} now belong{'s' if count == 1 else ''} to {who}."
            )
            return redirect(form.back_url(reverse("lookalikes:search")))
    messages.error(request, "Nothing was changed: " + "; ".join(m for ms in form.errors.values() for m in ms))
    back = form.data.get("back", "")
    query = QueryDict(back.split("?", 1)[1] if "?" in back else "")
    return _search(request, query, assign_form=form, status=400)


@role_required(*LEAD_ROLES)
@require_POST
def view_save(request):
    """Save the search (its seed and filters) as one of the person's lead views: listed with the others on the lead
    list, it opens the ranked list again."""
    form = SavedSearchForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            view = saved_view_save(
                user=request.user,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
                kind=SavedViewKind.LOOKALIKES,
            )
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, f"Saved the view “{view.name}”: it is listed with your lead views.")
            return redirect(view.get_absolute_url())
    messages.error(request, "The view was not saved: " + "; ".join(m for ms in form.errors.values() for m in ms))
    return _search(request, QueryDict(form.data.get("query", "")), save_form=form, status=400)


@role_required(*ANY_ROLE)
@require_GET
def weights(request):
    """Every feature's weight, and what it was learned from."""
    model = similarity_model_ready()
    context = {
        "model": model,
        "latest": similarity_model_latest(),
        "rows": weight_rows(model) if model else [],
    }
    return render(request, "lookalikes/weights.html", context)


@role_required(Role.ADMIN)
@require_POST
def relearn(request):
    similarity_model_request(reason="manual", user=request.user)
    messages.success(request, "The weights are being learned again; every account's vector is rebuilt with them.")
    return redirect("lookalikes:weights")
