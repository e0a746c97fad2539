from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from teams.access import ANY_ROLE, role_required
from teams.models import Role

from . import csv_copy, exports, selectors
from .forms import CategoryMergeForm, CustomerFilterForm, CustomerForm
from .models import CATEGORY_FIELDS, ChangeSource, Customer, CustomerChange
from .panels import customer_panels
from .services.categories import category_merge
from .services.records import CustomerChangedMeanwhile, customer_delete, customer_update


def _filter_form(request, *, with_choices: bool = True) -> CustomerFilterForm:
    if with_choices:
        form = CustomerFilterForm(request.GET, choices=selectors.filter_choices(), owners=selectors.owner_choices())
    else:
        form = CustomerFilterForm(request.GET)
    form.is_valid()  # a bad parameter falls back to its default: see CustomerFilterForm.filters
    return form


def _list_context(request) -> dict:
    form = _filter_form(request)
    customers = selectors.customer_list(filters=form.filters())
    page = selectors.customer_page(customers=customers, number=form.page_number(), per_page=form.page_size())
    return {"form": form, "page": page, "max_rows": selectors.MAX_BROWSABLE_ROWS}


@role_required(*ANY_ROLE)
@require_GET
def customer_list(request):
    return render(request, "customers/customer_list.html", _list_context(request))


@role_required(*ANY_ROLE)
@require_GET
def customer_results(request):
    """The list's results alone, for htmx; the address bar keeps the page's own URL."""
    response = render(request, "customers/fragment_results.html", _list_context(request))
    query = urlencode([(key, value) for key, value in request.GET.items() if value])
    return push_url(response, reverse("customers:list") + (f"?{query}" if query else ""))


@role_required(*ANY_ROLE)
@require_GET
def customer_detail(request, customer_id):
    customer = get_object_or_404(Customer.objects.select_related("owner"), pk=customer_id)
    context = {
        "customer": customer,
        "sections": selectors.customer_sections(customer),
        "history": selectors.customer_history(customer=customer),
        "panels": customer_panels(request, customer),
    }
    return render(request, "customers/customer_detail.html", context)


@role_required(Role.ADMIN)
def customer_edit(request, customer_id):
    customer = get_object_or_404(Customer, pk=customer_id)
    form = CustomerForm(request.POST or None, instance=Customer.objects.get(pk=customer.pk))
    if request.method == "POST" and form.is_valid():
        try:
            customer_update(
                customer=customer,
                values=form.values(),
                user=request.user,
                source=ChangeSource.WEB,
                loaded_at=form.cleaned_data["loaded_updated_at"],
            )
        except CustomerChangedMeanwhile:
            return _stale_edit(request, customer=customer, form=form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{customer.name} is saved.")
            return redirect("customers:detail", customer_id=customer.pk)
    return render(request, "customers/customer_form.html", {"customer": customer, "form": form})


def _stale_edit(request, *, customer, form):
    """409: keep the person's input, show what changed meanwhile; saving again overwrites it knowingly."""
    current = Customer.objects.get(pk=customer.pk)
    since = form.cleaned_data["loaded_updated_at"]
    changed_meanwhile = [
        entry for entry in selectors.customer_history(customer=current, limit=10) if entry.change.changed_at > since
    ]
    data = request.POST.copy()
    data["loaded_updated_at"] = current.updated_at.isoformat()
    messages.error(
        request,
        f"Someone changed {current.name} after you opened this form, so your changes were not saved. "
        "Check what changed below; saving again replaces it with your values.",
    )
    context = {
        "customer": current,
        "form": CustomerForm(data, instance=current),
        "changed_meanwhile": changed_meanwhile,
    }
    return render(request, "customers/customer_form.html", context, status=409)


@role_required(Role.ADMIN)
def customer_delete_confirm(request, customer_id):
    customer = get_object_or_404(Customer, pk=customer_id)
    if request.method == "POST":
        name = customer.name
        try:
            customer_delete(customer=customer, user=request.user, source=ChangeSource.WEB)
        except Customer.DoesNotExist:  # deleted by someone else meanwhile
            messages.info(request, f"{name} was already deleted.")
            return redirect("customers:list")
        messages.success(request, f"{name} is deleted; its change history is kept.")
        return redirect("customers:list")
    changes = CustomerChange.objects.filter(customer=customer).count()
    return render(request, "customers/customer_delete.html", {"customer": customer, "changes": changes})


def _exported(request):
    return selectors.customer_list(filters=_filter_form(request, with_choices=False).filters())


@role_required(*ANY_ROLE)
@require_GET
def customer_export_csv(request):
    chunks = csv_copy.csv_export_chunks(_exported(request))
    return exports.streamed_download(chunks, name="customers", extension="csv")


@role_required(*ANY_ROLE)
@require_GET
def customer_export_xlsx(request):
    return exports.streamed_download(
        exports.xlsx_chunks(exports.export_rows(_exported(request))), name="customers", extension="xlsx"
    )


@role_required(Role.ADMIN)
def category_spellings(request):
    """Each category field's spellings, and the merge of two of them (the customers re-scored)."""
    form = CategoryMergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        field, spelling, into = (form.cleaned_data[name] for name in ("field", "spelling", "into"))
        try:
            changed = category_merge(field=field, spelling=spelling, into=into, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            label = Customer._meta.get_field(field).verbose_name
            if changed:
                messages.success(
                    request,
                    f"{changed} customer{'s' if changed != 1 else ''} now {'have' if changed != 1 else 'has'} "
                    f"{label} “{into}” instead of “{spelling}”; their scores follow in a moment.",
                )
            else:
                messages.info(request, f"No customer has {label} “{spelling}” any more: nothing changed.")
            return redirect(reverse("customers:categories") + f"#{field}")
    fields = [
        (field, Customer._meta.get_field(field).verbose_name, selectors.category_spellings(field))
        for field in CATEGORY_FIELDS
    ]
    status = 400 if form.errors else 200  # a refused merge says why, with its 4xx
    return render(request, "customers/category_spellings.html", {"form": form, "fields": fields}, status=status)
