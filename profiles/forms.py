from django import forms

from customers.models import Customer

from .models import ChecklistStep, ExemplarReason, ItemStatus, Section
from .sections import DETAIL_FIELDS, DETAIL_MAX_LENGTH, details_summary

TEXT_MAX_LENGTH = 2000


class SectionDetailsMixin:
    """A form's fields for the structured parts of one section (sections.DETAIL_FIELDS).

    ``details_fields_add`` adds them; ``details_from`` gathers what was typed into the dict the services
    take (they check it again with sections.details_clean).
    """

    detail_names: list[str]

    def details_fields_add(self, section: str) -> None:
        self.detail_names = []
        for field in DETAIL_FIELDS.get(section, ()):
            widget = forms.Textarea(attrs={"rows": 2}) if field.multiline else forms.TextInput
            self.fields[field.name] = forms.CharField(
                label=field.label, required=field.required, max_length=DETAIL_MAX_LENGTH, widget=widget
            )
            self.detail_names.append(field.name)

    def details_from(self, cleaned: dict) -> dict:
        details = {name: (cleaned.get(name) or "").strip() for name in self.detail_names}
        return {name: value for name, value in details.items() if value}


class ProfileForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ItemForm(SectionDetailsMixin, forms.Form):
    """An item of one section: its text and, for structured sections, its parts.

    ``may_decide`` (admins and facilitators) adds the status; others propose.
    For the messaging matrix and personas the text may stay blank: it is made
    from the parts (pain point → feature → benefit; the persona's title).
    """

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
    status = forms.ChoiceField(choices=ItemStatus.choices, initial=ItemStatus.PROPOSED, required=False)

    def __init__(self, *args, section: str, may_decide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        self.details_fields_add(section)
        if self.detail_names:
            self.fields["text"].required = False
            self.fields["text"].label = "Summary (optional)" if section != Section.VALUE_PROPOSITION else "Text"
        if section == Section.VALUE_PROPOSITION:
            self.fields["text"].required = True
        if not may_decide:
            del self.fields["status"]
        first = ["text", *self.detail_names] if section == Section.VALUE_PROPOSITION else [*self.detail_names, "text"]
        self.order_fields([*first, "status"])

    @classmethod
    def for_item(cls, item, *, may_decide: bool, data=None):
        initial = {"text": item.text, "status": item.status, "revision": item.revision, **item.details}
        return cls(data=data, initial=initial, section=item.section, may_decide=may_decide, prefix=f"item{item.pk}")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        cleaned["details"] = self.details_from(cleaned)
        if not cleaned.get("text", "").strip():
            cleaned["text"] = details_summary(self.section, cleaned["details"])
            if not cleaned["text"]:
                self.add_error("text", "Write the item.")
        return cleaned


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ItemStatus.choices)
    revision = forms.IntegerField(required=False)


class ExemplarStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ItemStatus.choices)


class ExemplarForm(forms.Form):
    customer = forms.IntegerField(label="Customer", widget=forms.Select)
    reason = forms.ChoiceField(choices=ExemplarReason.choices)
    note = forms.CharField(max_length=300, required=False)

    def clean_customer(self):
        customer = Customer.objects.filter(pk=self.cleaned_data["customer"]).first()
        if customer is None:
            raise forms.ValidationError("Pick a customer from the search.")
        return customer


class CustomerSearchForm(forms.Form):
    customer_q = forms.CharField(label="Find a customer by name", max_length=200, required=False)


class ChecklistMarkForm(forms.Form):
    step = forms.ChoiceField(choices=ChecklistStep.choices)
    done = forms.BooleanField(required=False)


class ReviewForm(forms.Form):
    review_on = forms.DateField(label="Review on", required=False, widget=forms.DateInput(attrs={"type": "date"}))
