from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import format_html, format_html_join

from customers.models import LifecycleStage
from teams.models import Role, User

from .models import DispositionStatus, DisqualificationReason, SavedLeadView
from .selectors import (
    ANY,
    DEFAULT_SORT,
    ENGAGEMENT_LEVELS,
    NONE,
    OPEN,
    SEGMENTS,
    SORTS,
    UNOWNED,
    LeadFilters,
    lead_rubrics,
)
from .services.dispositions import BULK_ACTIONS

DISPOSITION_FILTERS = [
    (OPEN, "Open (not disqualified)"),
    (NONE, "Not handled yet"),
    *DispositionStatus.choices,
    ("all", "All"),
]


# The widgets whose Django templates only draw an <input> (django/forms/widgets/input.html).
INPUT_TEMPLATES = {f"django/forms/widgets/{kind}.html" for kind in ("text", "number", "checkbox", "hidden", "email")}
SELECT_TEMPLATE = "django/forms/widgets/select.html"


class CompactRenderer(TemplatesSetting):
    """Draws inputs and selects in Python, the same HTML as Django's templates (less their line breaks).

    The lead list draws a dozen fields and a few dozen options on every page; through the templates
    (two includes per option) they were a fifth of its time. Other widgets go to the templates.
    """

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name in INPUT_TEMPLATES:
            value = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
            return format_html('<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], value, _attrs(widget))
        if template_name == SELECT_TEMPLATE:
            return format_html('<select name="{}"{}>{}</select>', widget["name"], _attrs(widget), _options(widget))
        return super().render(template_name, context, request)


def _attrs(widget: dict) -> str:
    # As django/forms/widgets/attrs.html: True draws the bare name, False nothing.
    return flatatt({name: value for name, value in widget["attrs"].items() if value is not False})


def _options(widget: dict) -> str:
    drawn = []
    for group_name, options, _ in widget["optgroups"]:
        group = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((option["value"], _attrs(option), option["label"]) for option in options),
        )
        drawn.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, group) if group_name else group)
    return format_html_join("", "{}", ((part,) for part in drawn))


class LeadFilterForm(forms.Form):
    """The lead list's filters, read from the query string: the same on the page, the exports and the API."""

    default_renderer = CompactRenderer

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
    # The tab (new business or expansion; the rubric's first if blank) and whether churned accounts show.
    segment = forms.ChoiceField(
        required=False, choices=[("", "The rubric's first"), *SEGMENTS.items()], widget=forms.HiddenInput
    )
    churned = forms.BooleanField(required=False, label="Show churned accounts")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        rubrics = lead_rubrics()
        self.rubrics = list(rubrics)
        self.fields["rubric"].queryset = rubrics
        choices_once(self.fields["rubric"], self.rubrics)
        self.reps = list(_active_reps()) if may_see_others(user) else []
        self.fields["owner"].choices = owner_choices(user, self.reps)
        compact_widgets(self.fields.values())

    def grades_offer(self, labels: list[str]) -> None:
        """Offer the chosen rubric's grades as a list to pick from."""
        self.fields["grade"].widget = forms.Select(choices=[("", "Any grade"), *((label, label) for label in labels)])
        compact_widgets([self.fields["grade"]])

    def _value(self, name):
        return self.cleaned_data.get(name) if self.is_valid() else None

    def chosen_rubric(self):
        return self._value("rubric") or next(iter(self.rubrics), None)

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
            segment=data["segment"],
            churned=data["churned"],
        )

    def page_number(self) -> int:
        return self._value("page") or 1


def may_see_others(user: User) -> bool:
    """Whether a person may ask for other reps' leads: admins, and reps an admin let see the team."""
    return user.role == Role.ADMIN or (user.role == Role.SALES_REP and user.sees_team_leads)


def owner_choices(user: User, reps: list[User] | None = None) -> list[tuple[str, str]]:
    """Whose leads a person may ask for: a rep their own or unowned ones (every rep's if allowed).
    ``reps`` are the active reps, when the caller has read them already."""
    if not may_see_others(user):
        return [("", "Mine"), (UNOWNED, "Unowned (to claim)"), (ANY, "Mine and unowned")]
    first = [("", "Mine"), (ANY, "Everyone's")] if user.role == Role.SALES_REP else [("", "Everyone's")]
    reps = _active_reps() if reps is None else reps
    return [*first, (UNOWNED, "Unowned"), *((str(rep.pk), rep.display_name) for rep in reps)]


def choices_once(field: forms.ModelChoiceField, objects) -> None:
    """Offer ``objects`` (read once) in ``field``'s select. Left to its queryset, a ModelChoiceField
    reads it on every use: twice each time its select is drawn. Choosing still checks the queryset."""
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    field.choices = [*empty, *((obj.pk, field.label_from_instance(obj)) for obj in objects)]


def compact_widgets(fields) -> None:
    """Bootstrap's small controls on the fields' widgets (hidden ones left alone)."""
    for field in fields:
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs["class"] = "form-check-input"
        elif isinstance(field.widget, forms.Select) and not isinstance(field.widget, forms.SelectMultiple):
            field.widget.attrs["class"] = "form-select form-select-sm"
        elif not field.widget.is_hidden:
            field.widget.attrs["class"] = "form-control form-control-sm"


class DispositionForm(forms.Form):
    status = forms.ChoiceField(choices=DispositionStatus.choices, widget=forms.RadioSelect)
    reason = forms.ModelChoiceField(
        queryset=DisqualificationReason.objects.filter(is_active=True), required=False, label="Reason (to disqualify)"
    )
    note = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


FILTER_KEYS = tuple(name for name in LeadFilterForm.base_fields if name != "page")


def filter_query(query) -> str:
    """The list's filters from a query string (the page number and anything unknown left out), encoded."""
    kept = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        values = [value for value in query.getlist(key) if value]
        if values:
            kept.setlist(key, values[:1])
    return kept.urlencode()


def _active_reps():
    return User.objects.filter(role=Role.SALES_REP, is_active=True).order_by("first_name", "last_name", "username")


class LeadIdsField(forms.Field):
    """Customer ids of the selected leads (checkboxes named ``lead``)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        try:
            return [int(item) for item in values]
        except (TypeError, ValueError):
            raise forms.ValidationError("The selection is not a list of leads.") from None


class BulkActionForm(forms.Form):
    """One action for the leads selected on the list: a disposition, claiming them, or giving them to a rep."""

    default_renderer = CompactRenderer

    rubric = forms.ModelChoiceField(queryset=lead_rubrics(), widget=forms.HiddenInput)
    lead = LeadIdsField(required=False)
    action = forms.ChoiceField(label="With the selected leads")
    reason = forms.ModelChoiceField(
        queryset=DisqualificationReason.objects.filter(is_active=True),
        required=False,
        label="Reason (to disqualify)",
    )
    note = forms.CharField(required=False, max_length=1000)
    owner = forms.ModelChoiceField(queryset=_active_reps(), required=False, label="Assign to", empty_label="Nobody")

    def __init__(self, *args, user: User, reps: list[User] | None = None, **kwargs):
        """``reps``: the active reps, when the caller has read them already."""
        super().__init__(*args, **kwargs)
        self.fields["rubric"].queryset = lead_rubrics()
        self.fields["reason"].queryset = DisqualificationReason.objects.filter(is_active=True)
        choices_once(self.fields["reason"], self.fields["reason"].queryset)
        actions = ["accepted", "contacted", "disqualified", "assign" if user.role == Role.ADMIN else "claim"]
        self.fields["action"].choices = [("", "Choose…"), *((action, BULK_ACTIONS[action]) for action in actions)]
        if user.role == Role.ADMIN:
            self.fields["owner"].queryset = _active_reps()
            choices_once(self.fields["owner"], self.fields["owner"].queryset if reps is None else reps)
        else:
            del self.fields["owner"]
        compact_widgets(self.fields.values())

    def clean(self):
        cleaned = super().clean()
        cleaned.setdefault("owner", None)
        return cleaned


class OwnerForm(forms.Form):
    default_renderer = CompactRenderer
    owner = forms.ModelChoiceField(queryset=_active_reps(), required=False, empty_label="Nobody", label="Owner")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _active_reps()
        compact_widgets(self.fields.values())


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=SavedLeadView._meta.get_field("name").max_length, label="Save these filters as")
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"class": "form-control form-control-sm", "placeholder": "Name"})
