from django import forms

from customers.models import LifecycleStage

from .models import DispositionStatus, DisqualificationReason
from .selectors import NONE, OPEN, LeadFilters, lead_rubrics

DISPOSITION_FILTERS = [
    (OPEN, "Open (not disqualified)"),
    (NONE, "Not handled yet"),
    *DispositionStatus.choices,
    ("all", "All"),
]


class LeadFilterForm(forms.Form):
    rubric = forms.ModelChoiceField(queryset=lead_rubrics(), required=False, empty_label=None, label="ICP")
    q = forms.CharField(required=False, label="Search", max_length=100)
    industry = forms.CharField(required=False, max_length=100)
    country = forms.CharField(required=False, max_length=100)
    stage = forms.ChoiceField(required=False, choices=[("", "Any stage"), *LifecycleStage.choices])
    disposition = forms.ChoiceField(required=False, choices=DISPOSITION_FILTERS, initial=OPEN)
    min_score = forms.IntegerField(required=False, label="Score from", min_value=-10_000, max_value=10_000)
    max_score = forms.IntegerField(required=False, label="to", min_value=-10_000, max_value=10_000)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rubric"].queryset = lead_rubrics()
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css

    def _value(self, name):
        return self.cleaned_data.get(name) if self.is_valid() else None

    def chosen_rubric(self):
        return self._value("rubric") or self.fields["rubric"].queryset.first()

    def filters(self) -> LeadFilters:
        if not self.is_valid():
            return LeadFilters()
        data = self.cleaned_data
        return LeadFilters(
            q=data["q"].strip(),
            industry=data["industry"].strip(),
            country=data["country"].strip(),
            stage=data["stage"],
            disposition=data["disposition"] or OPEN,
            min_score=data["min_score"],
            max_score=data["max_score"],
        )

    def page_number(self) -> int:
        return self._value("page") or 1


class DispositionForm(forms.Form):
    status = forms.ChoiceField(choices=DispositionStatus.choices, widget=forms.RadioSelect)
    reason = forms.ModelChoiceField(
        queryset=DisqualificationReason.objects.filter(is_active=True), required=False, label="Reason (to disqualify)"
    )
    note = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
