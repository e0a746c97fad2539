"""Forms of a workshop: they parse what a person typed; services/ decide."""

from dataclasses import dataclass

from django import forms

from profiles.forms import SectionDetailsMixin
from profiles.models import ChecklistStep, Profile, Section
from profiles.sections import DETAIL_FIELDS, DETAIL_MAX_LENGTH
from rubrics import scoring
from rubrics.fields import field_kind
from rubrics.forms import CriterionForm
from teams.models import Team, User

from .models import TIMER_LIMIT_MINUTES, WEIGHT_MAX, WEIGHT_MIN, Privacy, Proposal, StepKind, Voting, Workshop
from .services.room import AGENDA_SECTIONS, TEXT_LIMIT

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


def _details_text_field(form: forms.Form, section: str, label: str) -> None:
    """For a matrix row or a persona the text is optional: it is made from the parts when left empty."""
    if section in DETAIL_FIELDS and section != Section.VALUE_PROPOSITION:
        form.fields["text"].required = False
        form.fields["text"].label = "Summary (optional)"
    else:
        form.fields["text"].label = label


@dataclass(frozen=True)
class DetailGroup:
    """The parts of one structured section in the propose form, shown only while that section is chosen."""

    section: str
    label: str
    fields: list
    hidden: bool


class ItemProposalForm(forms.Form):
    """An item for one of the step's sections, with the section's parts (a persona's title, goals and
    objections; a matrix row's pain point, feature and benefit; a value proposition's industry).

    Every structured section of the step has its group of parts in the form; only the chosen section's
    group is enabled and required where the part is (the others are disabled and optional, so neither the
    browser nor the form checks them) and shown. propose.js switches the groups when the section changes,
    without asking the server, so nothing typed is lost; without JavaScript a post for a section whose
    parts were hidden comes back (400) with them to fill in.
    """

    section = forms.ChoiceField()
    text = forms.CharField(max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}), label="Your proposal")

    def __init__(self, *args, sections: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(value, Section(value).label) for value in sections]
        self.fields["section"].widget.attrs["data-details-switch"] = ""
        chosen = self.data.get("section") if self.is_bound else None
        self.section = chosen if chosen in sections else (sections[0] if sections else "")
        self._groups: list[tuple[str, list[str]]] = []
        for section in sections:
            names = []
            for part in DETAIL_FIELDS.get(section, ()):
                attrs = {"data-required": "true"} if part.required else {}
                widget = forms.Textarea(attrs={"rows": 2, **attrs}) if part.multiline else forms.TextInput(attrs=attrs)
                is_chosen = section == self.section
                self.fields[part.name] = forms.CharField(
                    label=part.label,
                    required=part.required and is_chosen,
                    max_length=DETAIL_MAX_LENGTH,
                    widget=widget,
                    disabled=not is_chosen,
                )
                names.append(part.name)
            if names:
                self._groups.append((section, names))
        if self._groups:
            self.fields["text"].required = False  # the service asks for it unless the parts make it
            self.fields["text"].help_text = "For a persona or a matrix row it may stay empty: made from the parts."

    @property
    def detail_groups(self) -> list[DetailGroup]:
        return [
            DetailGroup(section, Section(section).label, [self[name] for name in names], section != self.section)
            for section, names in self._groups
        ]

    def service_kwargs(self) -> dict:
        """The section, the text and the chosen section's parts (those typed), as proposal_add takes them."""
        data = self.cleaned_data
        names = next((names for section, names in self._groups if section == self.section), [])
        details = {name: data[name].strip() for name in names if (data.get(name) or "").strip()}
        return {"section": data["section"], "text": data["text"], "details": details}


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

    def rule_of(self) -> scoring.Criterion:
        """The rule typed, as the scoring engine takes it (the form must be valid)."""
        data = self.cleaned_data
        return scoring.Criterion(
            id=0,
            field=data["field_name"],
            kind=field_kind(data["field_name"]),
            operator=data["operator"],
            values=tuple(data["parsed_values"]),
            points=data["points"],
            label=data["label"],
        )


class WeightChangeForm(forms.Form):
    """New points for a criterion the rubric scores with today, and why."""

    points = forms.TypedChoiceField(choices=POINTS, coerce=int, label="New points")
    text = forms.CharField(
        max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Why (optional)"
    )

    def service_kwargs(self) -> dict:
        return {"points": self.cleaned_data["points"], "text": self.cleaned_data["text"]}


class ProposalEditForm(SectionDetailsMixin, forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    points = forms.TypedChoiceField(choices=POINTS, coerce=int, required=False, empty_value=None)

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, auto_id="edit_%s", **kwargs)
        self.detail_names = []
        if proposal.is_weight:
            self.fields["points"].required = True
            self.fields["text"].label = "Why (optional)"
        else:
            del self.fields["points"]
            self.fields["text"].required = True
            self.details_fields_add(proposal.section)
            _details_text_field(self, proposal.section, "Text")
            self.order_fields(["revision", *self.detail_names, "text"])
        # Opened from a proposal into the composer (htmx focuses it): the keyboard goes straight on to writing.
        first = next(field for field in self.fields.values() if not field.widget.is_hidden)
        first.widget.attrs["autofocus"] = True

    @classmethod
    def initial_for(cls, proposal: Proposal) -> dict:
        return {"revision": proposal.revision, "text": proposal.text, "points": proposal.points, **proposal.details}

    def service_kwargs(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("revision", "text", "points") if name in self.fields}
        if self.detail_names:
            data["details"] = self.details_from(self.cleaned_data)
        return data


class CommentForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="comment_%s", **kwargs)

    # Opened from a proposal into the composer (htmx focuses it): the keyboard goes straight on to writing.
    text = forms.CharField(
        max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2, "autofocus": True}), label="Your comment"
    )


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(choices=[(1, "Agree / dot"), (-1, "Disagree")], coerce=int, initial=1)


class DecideForm(forms.Form):
    status = forms.ChoiceField(choices=[("agreed", "Agreed"), ("rejected", "Rejected"), ("proposed", "Open again")])


class TimerForm(forms.Form):
    action = forms.ChoiceField(choices=[("start", "Start"), ("stop", "Stop")])
    minutes = forms.IntegerField(min_value=1, max_value=TIMER_LIMIT_MINUTES, required=False)


class AgendaRevisionForm(forms.Form):
    """What every agenda form carries: the agenda's revision as the facilitator saw it."""

    agenda_revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class StepMoveForm(AgendaRevisionForm):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


DURATION_HELP = f"Optional: the step's timer, 1 to {TIMER_LIMIT_MINUTES} minutes."


class StepForm(AgendaRevisionForm):
    """Rename a step, and plan (or clear) its duration."""

    title = forms.CharField(max_length=200)
    duration_minutes = forms.IntegerField(min_value=1, max_value=TIMER_LIMIT_MINUTES, required=False, label="Minutes")


class StepAddForm(AgendaRevisionForm):
    """A new step: like one of the checklist's (its sections, or the weights), or on the sections ticked."""

    title = forms.CharField(max_length=200, required=False, help_text="Empty: the checklist step's name.")
    like = forms.ChoiceField(label="Like the checklist step", required=False)
    sections = forms.MultipleChoiceField(
        choices=Section.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Or on these profile sections",
    )
    duration_minutes = forms.IntegerField(
        min_value=1, max_value=TIMER_LIMIT_MINUTES, required=False, label="Minutes", help_text=DURATION_HELP
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["like"].choices = [("", "— none: the sections ticked below —")] + [
            (step, f"{label}: {self._like_sections(step)}") for step, label in ChecklistStep.choices
        ]

    @staticmethod
    def _like_sections(step: str) -> str:
        if step == ChecklistStep.SCORING:
            return "criterion weights"
        return ", ".join(Section(section).label for section in AGENDA_SECTIONS[step])

    def clean(self):
        cleaned = super().clean()
        like, sections = cleaned.get("like"), cleaned.get("sections") or []
        if like and sections:
            self.add_error("sections", "Choose a checklist step or sections, not both.")
        elif not like and not sections:
            self.add_error("sections", "Choose a checklist step, or at least one profile section.")
        elif like:
            cleaned["kind"] = StepKind.WEIGHTS if like == ChecklistStep.SCORING else StepKind.ITEMS
            cleaned["sections"] = [str(section) for section in AGENDA_SECTIONS[like]]
            cleaned["title"] = cleaned.get("title") or ChecklistStep(like).label
        else:
            cleaned["kind"] = StepKind.ITEMS
        if not cleaned.get("title") and "title" not in self.errors:
            self.add_error("title", "Give the step a title.")
        return cleaned

    def service_kwargs(self) -> dict:
        names = ("agenda_revision", "title", "kind", "sections", "duration_minutes")
        return {name: self.cleaned_data[name] for name in names}


class InviteForm(forms.Form):
    """More people for a running workshop: whole teams, or people ticked by team."""

    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Everyone in",
    )
    people = PeopleField(
        queryset=User.objects.filter(is_active=True).select_related("team").order_by("team__name", "username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Or these people",
    )

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        self.invited = set(workshop.participants.values_list("user_id", flat=True)) | {workshop.facilitator_id}

    def people_by_team(self) -> list[tuple[str, list]]:
        """The checkboxes of the people not invited yet, grouped by team (someone invited already may still be
        posted: a double submit is not an error)."""
        teams: dict[str, list] = {}
        for checkbox in self["people"]:
            person = checkbox.data["value"].instance
            if person.pk not in self.invited:
                teams.setdefault(person.team.name if person.team else "No team", []).append(checkbox)
        return sorted(teams.items())

    def clean(self):
        cleaned = super().clean()
        people = {person.pk: person for person in cleaned.get("people") or []}
        teams = cleaned.get("teams") or []
        if teams:
            for person in User.objects.filter(is_active=True, team__in=teams):
                people.setdefault(person.pk, person)
        people.pop(self.workshop.facilitator_id, None)
        if not people and not self.errors:
            raise forms.ValidationError("Tick a team or someone to invite.")
        cleaned["users"] = list(people.values())
        return cleaned


class PickForm(forms.Form):
    points = forms.TypedChoiceField(choices=POINTS, coerce=int)


class PrivacyForm(forms.Form):
    privacy = forms.ChoiceField(choices=Privacy.choices)


class MergeForm(forms.Form):
    into = forms.IntegerField(min_value=1)


class CloseForm(forms.Form):
    token = forms.CharField(max_length=64)
