import datetime

from django import forms
from django.db.models.functions import Upper

from customers.models import Customer, LifecycleStage
from customers.selectors import CustomerFilters
from imports.cleaning import parse_domain

from .models import AdvocacyKind, ReferralStatus, Survey
from .risk import risk_rubrics
from .services.answers import COMMENT_MAX_LENGTH

SCORES = [(score, str(score)) for score in range(11)]


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.RadioSelect | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


def customer_find(text: str) -> Customer:
    """A customer by its exact external id, else by its domain; ValidationError when none or several."""
    text = text.strip()
    customer = Customer.objects.filter(external_id=text).first()
    if customer:
        return customer
    domain = parse_domain(text)
    matches = list(Customer.objects.annotate(domain_upper=Upper("domain")).filter(domain_upper=domain.upper())[:2])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise forms.ValidationError(f"Several customers have the domain “{domain}”: give the external id.")
    raise forms.ValidationError(f"No customer has the external id or domain “{text}”.")


class AnswerForm(forms.Form):
    """The public survey: a score 0-10 (large buttons) and an optional comment."""

    score = forms.TypedChoiceField(
        label="Your score", choices=SCORES, coerce=int, widget=forms.RadioSelect, error_messages={"required": ""}
    )
    comment = forms.CharField(
        label="What is the main reason for your score? (optional)",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].error_messages["required"] = "Choose a score from 0 to 10."


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["name", "question"]
        help_texts = {"name": "For you, e.g. “NPS Q3 2026”.", "question": "What customers see, above the 0-10 scale."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class SendForm(forms.Form):
    """Which customers to invite: the customer list's filters, and optionally those an ICP qualifies."""

    stage = forms.ChoiceField(
        label="Lifecycle stage",
        required=False,
        choices=[("", "All stages"), *LifecycleStage.choices],
        initial=LifecycleStage.CUSTOMER,
    )
    industry = forms.CharField(required=False, max_length=100)
    country = forms.CharField(required=False, max_length=100)
    region = forms.CharField(required=False, max_length=100)
    rubric = forms.ModelChoiceField(
        label="Only customers this ICP qualifies",
        queryset=None,
        required=False,
        empty_label="Any customer",
    )
    # How many the page said would be invited: a send whose choices now reach another number is shown again.
    shown_count = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    INITIAL = {"stage": LifecycleStage.CUSTOMER}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rubric"].queryset = risk_rubrics()
        _styled(self)

    def filters(self) -> CustomerFilters:
        data = self.cleaned_data
        return CustomerFilters(
            stage=data["stage"],
            industry=data["industry"].strip(),
            country=data["country"].strip(),
            region=data["region"].strip(),
        )


class _CustomerField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", "Its external id or domain.")
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        return customer_find(text) if text else None


class ReferralForm(forms.Form):
    referrer = _CustomerField(label="Referring customer")
    referred_customer = _CustomerField(
        label="Referred customer", required=False, help_text="Its external id or domain, if it is in the base."
    )
    referred_name = forms.CharField(label="…or the referred company's name", required=False, max_length=200)
    referred_domain = forms.CharField(label="…and its domain", required=False, max_length=200)
    referred_on = forms.DateField(
        label="Date", initial=datetime.date.today, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label="Closed?", choices=ReferralStatus.choices, initial=ReferralStatus.OPEN)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean_referred_domain(self) -> str:
        return parse_domain(self.cleaned_data["referred_domain"])


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ReferralStatus.choices)


class AdvocacyForm(forms.Form):
    customer = _CustomerField(label="Customer")
    kind = forms.ChoiceField(choices=AdvocacyKind.choices)
    happened_on = forms.DateField(
        label="Date", initial=datetime.date.today, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(required=False, max_length=500, help_text="A link or a line about it.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class RiskFilterForm(forms.Form):
    rubric = forms.ModelChoiceField(label="ICP", queryset=None, required=False, empty_label=None)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rubric"].queryset = risk_rubrics()
        self.fields["rubric"].widget.attrs["class"] = "form-select form-select-sm"
