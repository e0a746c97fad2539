from django import forms

from customers.models import LifecycleStage
from teams.models import Role, User

from .models import DispositionStatus, DisqualificationReason
from .selectors import (
    ANY,
    DEFAULT_SORT,
    ENGAGEMENT_LEVELS,
    NONE,
    OPEN,
    SORTS,
    UNOWNED,
    LeadFilters,
    lead_rubrics,
)

DISPOSITION_FILTERS = [
    (OPEN, "Open (not disqualified)"),
    (NONE, "Not handled yet"),
    *DispositionStatus.choices,
    ("all", "All"),
]


class LeadFilterForm(forms.Form):
    """The lead list's filters, read from the query string: the same on the page, the exports and the API."""

    rubric = forms.ModelChoiceField(queryset=lead_rubrics(), required=False, empty_label=None, label="ICP")
    q = forms.CharField(required=False, label="Search", max_length=100)
    owner = forms.ChoiceField(required=False)
    grade = forms.CharField(required=False, max_length=20)
    engagement = forms.ChoiceField(required=False, choices=[("", "Any engagement"), *ENGAGEMENT_LEVELS])
    industry = forms.CharField(required=False, max_length=100)
    country = forms.CharField(required=False, max_length=100)
    region = forms.CharField(required=False, max_length=100)
    stage = forms.ChoiceField(required=False, choices=[("", "Any stage"), *LifecycleStage.choices])
    disposition = forms.ChoiceField(required=False, choices=DISPOSITION_FILTERS, initial=OPEN)
    min_score = forms.IntegerField(required=False, label="Score from", min_value=-10_000, max_value=10_000)
    max_score = forms.IntegerField(required=False, label="to", min_value=-10_000, max_value=10_000)
    new = forms.BooleanField(required=False, label="New since my last visit")
    sort = forms.ChoiceField(
        required=False, choices=[(key, label) for key, (label, _) in SORTS.items()], initial=DEFAULT_SORT
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["rubric"].queryset = lead_rubrics()
        self.fields["owner"].choices = owner_choices(user)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            else:
                field.widget.attrs["class"] = "form-control form-control-sm"

    def _value(self, name):
        return self.cleaned_data.get(name) if self.is_valid() else None

    def chosen_rubric(self):
        return self._value("rubric") or self.fields["rubric"].queryset.first()

    def filters(self, *, new_since=None) -> LeadFilters:
        """The filters asked for; ``new_since`` is when "new" leads start (the person's last visit)."""
        if not self.is_valid():
            return LeadFilters()
        data = self.cleaned_data
        return LeadFilters(
            q=data["q"].strip(),
            industry=data["industry"].strip(),
            country=data["country"].strip(),
            region=data["region"].strip(),
            stage=data["stage"],
            disposition=data["disposition"] or OPEN,
            min_score=data["min_score"],
            max_score=data["max_score"],
            grade=data["grade"].strip(),
            engagement=data["engagement"],
            owner=data["owner"],
            qualified_since=new_since if data["new"] else None,
            sort=data["sort"] or DEFAULT_SORT,
        )

    def page_number(self) -> int:
        return self._value("page") or 1


def owner_choices(user: User) -> list[tuple[str, str]]:
    """Whose leads a person may ask for: a rep their own or unowned ones (every rep's if allowed)."""
    if user.role == Role.SALES_REP and not user.sees_team_leads:
        return [("", "Mine"), (UNOWNED, "Unowned (to claim)"), (ANY, "Mine and unowned")]
    first = [("", "Mine"), (ANY, "Everyone's")] if user.role == Role.SALES_REP else [("", "Everyone's")]
    reps = User.objects.filter(role=Role.SALES_REP, is_active=True).order_by("first_name", "last_name", "username")
    return [*first, (UNOWNED, "Unowned"), *((str(rep.pk), rep.display_name) for rep in reps)]


class DispositionForm(forms.Form):
    status = forms.ChoiceField(choices=DispositionStatus.choices, widget=forms.RadioSelect)
    reason = forms.ModelChoiceField(
        queryset=DisqualificationReason.objects.filter(is_active=True), required=False, label="Reason (to disqualify)"
    )
    note = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
