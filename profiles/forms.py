from django import forms

from customers.models import Customer

from .models import ChecklistStep, ExemplarReason, ItemStatus, Section

# A section's structured parts (ProfileItem.details): field name, label, required.
DETAIL_FIELDS = {
    Section.MESSAGING_MATRIX: (
        ("pain_point", "Pain point", True),
        ("feature", "Feature", True),
        ("benefit", "Benefit", True),
    ),
    Section.PERSONAS: (("title", "Title", True), ("goals", "Goals", False), ("objections", "Objections", False)),
    Section.VALUE_PROPOSITION: (("industry", "Industry (if it is for one)", False),),
}
TEXT_MAX_LENGTH = 2000


class ProfileForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ItemForm(forms.Form):
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
        self.detail_names = [name for name, _, _ in DETAIL_FIELDS.get(section, ())]
        for name, label, required in DETAIL_FIELDS.get(section, ()):
            widget = forms.Textarea(attrs={"rows": 2}) if name in ("goals", "objections") else forms.TextInput
            self.fields[name] = forms.CharField(label=label, required=required, max_length=500, widget=widget)
        if self.detail_names:
            self.fields["text"].required = False
            self.fields["text"].label = "Summary (optional)" if section != Section.VALUE_PROPOSITION else "Text"
        if section == Section.VALUE_PROPOSITION:
            self.fields["text"].required = True
        if not may_decide:
            del self.fields["status"]
        self.order_fields(["text", *self.detail_names, "status"])

    @classmethod
    def for_item(cls, item, *, may_decide: bool, data=None):
        initial = {"text": item.text, "status": item.status, "revision": item.revision, **item.details}
        return cls(data=data, initial=initial, section=item.section, may_decide=may_decide, prefix=f"item{item.pk}")

    @property
    def detail_fields(self):
        return [self[name] for name in self.detail_names]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        details = {name: cleaned.get(name, "").strip() for name in self.detail_names}
        cleaned["details"] = {name: value for name, value in details.items() if value}
        if not cleaned.get("text", "").strip():
            if self.section == Section.MESSAGING_MATRIX:
                cleaned["text"] = " → ".join(details[name] for name in ("pain_point", "feature", "benefit"))
            elif self.section == Section.PERSONAS:
                cleaned["text"] = details["title"]
            else:
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
