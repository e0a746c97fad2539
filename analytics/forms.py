"""What the analytics pages and API accept: the version to compare, the best customers, a suggestion to send."""

from django import forms
from django.core.exceptions import ValidationError

from rubrics.models import Rubric, RubricVersion
from teams.models import User
from workshops.models import Workshop

from .selectors import workshops_open_for
from .suggestions import Suggestion
from .traits import BASES

TOP_MIN, TOP_MAX, TOP_DEFAULT = 1, 50, 10
BIGINT_MAX = 2**63 - 1
POINTS = [(points, f"{points:+d}") for points in range(3, -4, -1) if points]


class AccuracyQueryForm(forms.Form):
    """``against``: another version of the rubric to compare the published one with (default: the previous one)."""

    against = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Compare with",
        error_messages={"invalid_choice": "Not a version of this rubric other than the published one."},
    )

    def __init__(self, *args, version: RubricVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.versions = {
            other.pk: other for other in version.rubric.versions.exclude(pk=version.pk).order_by("-number")
        }
        self.fields["against"].choices = [("", "the previous version")] + [
            (pk, f"v{other.number} ({other.get_status_display().lower()})") for pk, other in self.versions.items()
        ]

    def clean_against(self) -> RubricVersion | None:
        chosen = self.cleaned_data["against"]
        return None if chosen is None else self.versions[chosen]


class TraitsQueryForm(forms.Form):
    """Who the best customers are: a basis and, for the ranked ones, the top share."""

    best = forms.ChoiceField(
        choices=[(key, basis.label) for key, basis in BASES.items()],
        required=False,
        label="Best customers",
        error_messages={"invalid_choice": f"Choose one of: {', '.join(BASES)}."},
    )
    top = forms.IntegerField(
        min_value=TOP_MIN,
        max_value=TOP_MAX,
        required=False,
        label="Top %",
        help_text="For CLV, tenure and NPS: the share of customers counted as the best.",
    )

    def clean_best(self):
        return BASES[self.cleaned_data["best"] or "clv"]

    def clean_top(self):
        top = self.cleaned_data["top"]
        return TOP_DEFAULT if top is None else top


class RubricParameterForm(forms.Form):
    """The API's ``rubric``: the id of a rubric with a published version."""

    rubric = forms.IntegerField(
        min_value=1,
        max_value=BIGINT_MAX,
        error_messages={"required": "Say which ICP: rubric=<id> of a rubric with a published version."},
    )


class SuggestionForm(forms.Form):
    """A signed suggestion from the traits page, with the points the person settled on."""

    suggestion = forms.CharField(widget=forms.HiddenInput)
    points = forms.TypedChoiceField(choices=POINTS, coerce=int)

    def __init__(self, *args, rubric: Rubric, **kwargs):
        self.rubric = rubric
        super().__init__(*args, **kwargs)

    def clean_suggestion(self) -> Suggestion:
        try:
            return Suggestion.from_signed(self.cleaned_data["suggestion"], rubric_id=self.rubric.pk)
        except (ValidationError, TypeError, KeyError) as error:
            messages = error.messages if isinstance(error, ValidationError) else ["This suggestion is not valid."]
            raise ValidationError(messages) from None


class WorkshopSuggestionForm(SuggestionForm):
    workshop = forms.ModelChoiceField(
        queryset=Workshop.objects.none(),
        error_messages={
            "required": "Choose the workshop to propose it in.",
            "invalid_choice": "Choose a workshop on this profile whose scoring step is open and that you take part in.",
        },
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        open_ids = [workshop.pk for workshop in workshops_open_for(rubric=self.rubric, user=user)]
        self.fields["workshop"].queryset = Workshop.objects.filter(pk__in=open_ids)
