import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Q

from ops.text import text_problem
from teams.models import Role, User

from .models import CATEGORY_FIELDS, Customer, LifecycleStage
from .selectors import (
    DEFAULT_PER_PAGE,
    DEFAULT_SORT,
    FIELD_GROUPS,
    NO_OWNER,
    PER_PAGE_CHOICES,
    SORTS,
    CustomerFilters,
)
from .services.changes import WRITABLE_FIELDS


class CustomerFilterForm(forms.Form):
    """The list's search, filters, order and page, from GET parameters.

    Industry, country and region accept any text (an unknown one simply matches
    nothing); their selects offer the values that exist.
    """

    q = forms.CharField(label="Search", required=False, max_length=200, help_text="Name, domain or external id")
    industry = forms.CharField(required=False, widget=forms.Select)
    country = forms.CharField(required=False, widget=forms.Select)
    region = forms.CharField(required=False, widget=forms.Select)
    stage = forms.ChoiceField(
        label="Lifecycle stage", required=False, choices=[("", "All stages"), *LifecycleStage.choices]
    )
    owner = forms.CharField(required=False, widget=forms.Select)
    sort = forms.ChoiceField(label="Order", required=False, choices=[(key, label) for key, (label, _) in SORTS.items()])
    per_page = forms.TypedChoiceField(
        label="Per page",
        required=False,
        coerce=int,
        empty_value=DEFAULT_PER_PAGE,
        choices=[(n, n) for n in PER_PAGE_CHOICES],
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, data, *, choices: dict[str, list[str]] | None = None, owners=()):
        """``choices`` and ``owners`` fill the selects; an export, which shows none, leaves them out."""
        if not data.get("per_page"):
            data = data.copy()
            data["per_page"] = str(DEFAULT_PER_PAGE)  # so the select shows the size in use
        super().__init__(data)
        for form_field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(form_field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            form_field.widget.attrs.setdefault("class", css)
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": "Name, domain or external id"})
        choices = choices or {"industry": [], "country": [], "region": []}
        for name, plural in (("industry", "industries"), ("country", "countries"), ("region", "regions")):
            values = list(choices[name])
            selected = data.get(name, "")
            if selected and selected not in values:
                values.append(selected)
            self.fields[name].widget.choices = [("", f"All {plural}"), *((value, value) for value in values)]
        self.fields["owner"].widget.choices = [
            ("", "Anyone"),
            (NO_OWNER, "No owner"),
            *((str(person.pk), person.display_name + ("" if person.is_active else " (inactive)")) for person in owners),
        ]

    def clean_owner(self) -> str:
        owner = self.cleaned_data["owner"]
        if owner and owner != NO_OWNER and not (owner.isdigit() and len(owner) < 19):
            raise forms.ValidationError("Choose an owner from the list.")
        return owner

    def filters(self) -> CustomerFilters:
        """The valid part of the request: a bad parameter falls back to its default."""
        cleaned = getattr(self, "cleaned_data", {})
        return CustomerFilters(
            q=(cleaned.get("q") or "").strip(),
            industry=cleaned.get("industry") or "",
            country=cleaned.get("country") or "",
            region=cleaned.get("region") or "",
            stage=cleaned.get("stage") or "",
            owner=cleaned.get("owner") or "",
            sort=cleaned.get("sort") or DEFAULT_SORT,
        )

    def page_number(self) -> int:
        return getattr(self, "cleaned_data", {}).get("page") or 1

    def page_size(self) -> int:
        return getattr(self, "cleaned_data", {}).get("per_page") or DEFAULT_PER_PAGE


FORM_FIELDS = [Customer._meta.get_field(attname).name for attname in WRITABLE_FIELDS]


class CustomerForm(forms.ModelForm):
    """An admin's edit of one customer. ``loaded_updated_at`` tells a stale form from a fresh one."""

    loaded_updated_at = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Customer
        fields = FORM_FIELDS
        widgets = {
            "crm_created_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "contact_titles": forms.Textarea(attrs={"rows": 2}),
            "extra": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["loaded_updated_at"] = self.instance.updated_at.isoformat()
        # Only active sales reps may be given an account; the current owner stays selectable.
        self.fields["owner"].queryset = User.objects.filter(
            Q(role=Role.SALES_REP, is_active=True) | Q(pk=self.instance.owner_id)
        ).order_by("first_name", "last_name", "username")
        self.fields["owner"].label_from_instance = lambda person: person.display_name
        self.fields["extra"].help_text = "A JSON object; keys given here are added or replaced, others are kept."
        for form_field in self.fields.values():
            if isinstance(form_field, forms.CharField) and not isinstance(form_field, forms.JSONField):
                # the rule of the API and the imports, in place of Django's own NUL check
                form_field.validators = [
                    validator
                    for validator in form_field.validators
                    if not isinstance(validator, ProhibitNullCharactersValidator)
                ] + [_text_validate]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "name",
            *(Fieldset(title, *names) for title, names in FIELD_GROUPS),
            Fieldset("Extra attributes", "extra"),
            "loaded_updated_at",
        )
        self.helper.add_input(Submit("submit", "Save changes"))

    def clean_owner(self):
        owner = self.cleaned_data.get("owner")
        changed = owner is not None and owner.pk != self.instance.owner_id
        if changed and not (owner.role == Role.SALES_REP and owner.is_active):
            raise forms.ValidationError("Only an active sales rep can own a customer.")
        return owner

    def clean_extra(self):
        extra = self.cleaned_data.get("extra")
        if extra in (None, ""):
            return {}
        if not isinstance(extra, dict):
            raise forms.ValidationError('Give a JSON object, for example {"segment": "enterprise"}.')
        for key, value in extra.items():
            for text in (key, value) if isinstance(value, str) else (key,):
                _text_validate(text)
        return extra

    def clean_loaded_updated_at(self) -> datetime.datetime:
        try:
            return datetime.datetime.fromisoformat(self.cleaned_data["loaded_updated_at"])
        except ValueError as error:
            raise forms.ValidationError("This form is damaged: open it again.") from error

    def values(self) -> dict:
        """The cleaned fields as customer_update takes them: attnames to values."""
        values = {}
        for attname in WRITABLE_FIELDS:
            name = Customer._meta.get_field(attname).name
            value = self.cleaned_data[name]
            values[attname] = value.pk if name == "owner" and value is not None else value
        return values


def _text_validate(text: str) -> None:
    if problem := text_problem(text):
        raise forms.ValidationError(problem, code="invalid_characters")


class CategoryMergeForm(forms.Form):
    """An admin's merge of two spellings of a category field (customers.services.categories.category_merge)."""

    field = forms.ChoiceField(choices=[(name, name) for name in CATEGORY_FIELDS])
    spelling = forms.CharField(max_length=100, label="Replace")
    into = forms.CharField(max_length=100, label="with")
