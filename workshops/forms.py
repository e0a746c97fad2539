"""Forms of a workshop: they parse what a person typed; services.py decides."""

from django import forms

from profiles.models import Profile, Section
from rubrics import scoring
from rubrics.forms import CriterionForm
from teams.models import User

from .models import WEIGHT_MAX, WEIGHT_MIN, Voting
from .services import TEXT_LIMIT, TIMER_LIMIT_MINUTES

POINTS = [(points, f"{points:+d}" if points else "0") for points in range(WEIGHT_MAX, WEIGHT_MIN - 1, -1)]


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.get_role_display()})"


class WorkshopForm(forms.Form):
    profile = forms.ModelChoiceField(queryset=Profile.objects.order_by("name"))
    title = forms.CharField(max_length=200)
    voting = forms.ChoiceField(choices=Voting.choices, initial=Voting.DOTS, widget=forms.RadioSelect)
    dots_per_step = forms.IntegerField(min_value=1, max_value=20, initial=3, label="Dots per person per step")
    anonymous_votes = forms.BooleanField(required=False, label="Anonymous votes (people see counts, not names)")
    invitees = PeopleField(
        queryset=User.objects.filter(is_active=True).select_related("team").order_by("team__name", "username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Invite",
    )

    def invitees_by_team(self) -> list[tuple[str, list]]:
        """The invite checkboxes grouped by team, for the template."""
        teams: dict[str, list] = {}
        for checkbox in self["invitees"]:
            person = checkbox.data["value"].instance
            teams.setdefault(person.team.name if person.team else "No team", []).append(checkbox)
        return sorted(teams.items())


class ItemProposalForm(forms.Form):
    section = forms.ChoiceField()
    text = forms.CharField(max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}), label="Your proposal")

    def __init__(self, *args, sections: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(section, Section(section).label) for section in sections]


class WeightProposalForm(CriterionForm):
    """A criterion as the rubric editor takes it (no bands), points from -3 to +3, and why."""

    text = forms.CharField(
        max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Why (optional)"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, band_rows=0, **kwargs)
        del self.fields["revision"], self.fields["bands"], self.fields["group"]
        self.fields["operator"].choices = [
            (name, scoring.OPERATOR_LABELS[name]) for name in scoring.OPERATORS if name != "bands"
        ]
        self.fields["points"] = forms.TypedChoiceField(choices=POINTS, coerce=int, initial=1)
        self.fields["label"].label = "Criterion"
        self.order_fields(["label", "field", "extra_key", "operator", "values", "points", "text"])

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "field": data["field_name"],
            "operator": data["operator"],
            "values": data["parsed_values"],
            "points": data["points"],
            "label": data["label"],
            "text": data["text"],
        }


class ProposalEditForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    points = forms.TypedChoiceField(choices=POINTS, coerce=int, required=False, empty_value=None)

    def __init__(self, *args, weight: bool, **kwargs):
        super().__init__(*args, auto_id="edit_%s", **kwargs)
        if weight:
            self.fields["points"].required = True
            self.fields["text"].label = "Why (optional)"
        else:
            del self.fields["points"]
            self.fields["text"].required = True


class CommentForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="comment_%s", **kwargs)

    text = forms.CharField(max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}), label="Your comment")


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(choices=[(1, "Agree / dot"), (-1, "Disagree")], coerce=int, initial=1)


class DecideForm(forms.Form):
    status = forms.ChoiceField(choices=[("agreed", "Agreed"), ("rejected", "Rejected"), ("proposed", "Open again")])


class TimerForm(forms.Form):
    minutes = forms.IntegerField(min_value=1, max_value=TIMER_LIMIT_MINUTES, required=False)
