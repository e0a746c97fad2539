"""Forms of the rubric editor: they parse what a person typed; the services in services/drafts.py decide."""

from django import forms
from django.utils.text import capfirst

from engagement.selectors import event_types

from . import scoring
from .fields import FIELDS, field_kind, field_label
from .models import Criterion, CriterionGroup, Gate, LeadAudience, RubricVersion

EXTRA = "extra"
LIST_OPERATORS = (*scoring.CATEGORY_OPERATORS, *scoring.TEXT_OPERATORS)
NUMBER_VALUE_OPERATORS = ("gte", "lte", "between")


class ProfileForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RubricForm(forms.Form):
    name = forms.CharField(max_length=120)


class RubricAudienceForm(forms.Form):
    audience = forms.ChoiceField(choices=LeadAudience.choices, label="Leads for")


def _rows(form: forms.Form, prefix: str, names: tuple[str, ...], count: int) -> list[dict]:
    """The filled rows of a repeated group of fields, as {name: value}; a row left blank is dropped."""
    rows = []
    for number in range(count):
        row = {name: form.cleaned_data.get(f"{prefix}_{name}_{number}") for name in names}
        if any(value not in (None, "") for value in row.values()):
            rows.append(row)
    return rows


CAP_WORDS = "A cap is a whole number of points, 0 or more."


class VersionSettingsForm(forms.Form):
    threshold = forms.IntegerField(help_text="Points a customer needs to qualify.")
    min_points = forms.IntegerField(label="Lowest points per criterion", min_value=-100, max_value=100)
    max_points = forms.IntegerField(label="Highest points per criterion", min_value=-100, max_value=100)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="What changed, and why.")
    revision = forms.IntegerField(widget=forms.HiddenInput)
    # Carries no data: the grade rows' messages attach to it.
    grades = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, grade_rows: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        for group, label in CriterionGroup.choices:
            self.fields[f"cap_{group}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=10_000,
                label=f"{label}: at most",
                help_text="Leave empty for no cap.",
                error_messages={"min_value": CAP_WORDS, "invalid": CAP_WORDS},
            )
        self.grade_rows = grade_rows
        for number in range(grade_rows):
            self.fields[f"grade_label_{number}"] = forms.CharField(required=False, max_length=40, label="Grade")
            self.fields[f"grade_min_{number}"] = forms.IntegerField(required=False, label="From (points)")

    @classmethod
    def for_version(cls, version: RubricVersion, data=None) -> "VersionSettingsForm":
        grades = version.grades or []
        initial = {
            "threshold": version.threshold,
            "min_points": version.min_points,
            "max_points": version.max_points,
            "note": version.note,
            "revision": version.revision,
        }
        for group, cap in (version.caps or {}).items():
            initial[f"cap_{group}"] = cap
        for number, grade in enumerate(grades):
            initial[f"grade_label_{number}"] = grade["label"]
            initial[f"grade_min_{number}"] = grade["min"]
        rows = max(3, len(grades) + 1)
        if data is not None:
            rows = max(rows, sum(1 for key in data if key.startswith("grade_label_")))
        return cls(data, initial=initial, grade_rows=rows)

    @property
    def cap_fields(self) -> list:
        return [self[f"cap_{group}"] for group in CriterionGroup.values]

    @property
    def grade_fields(self) -> list[tuple]:
        return [(self[f"grade_label_{n}"], self[f"grade_min_{n}"]) for n in range(self.grade_rows)]

    def clean(self):
        cleaned = super().clean()
        grades = []
        for row in _rows(self, "grade", ("label", "min"), self.grade_rows):
            if not row["label"] or row["min"] is None:
                self.add_error("grades", "Each grade needs a label and the points it starts from.")
                break
            grades.append({"label": row["label"].strip(), "min": row["min"]})
        cleaned["grades"] = grades
        return cleaned

    def service_kwargs(self) -> dict:
        kwargs = {key: self.cleaned_data[key] for key in ("threshold", "min_points", "max_points", "grades", "note")}
        caps = {group: self.cleaned_data.get(f"cap_{group}") for group in CriterionGroup.values}
        kwargs["caps"] = {group: cap for group, cap in caps.items() if cap is not None}
        return kwargs


def _field_choices() -> list[tuple[str, str]]:
    fields = sorted(FIELDS.items(), key=lambda item: item[1][1].lower())
    return [("", "Choose a field…"), *((name, capfirst(label)) for name, (_, label) in fields)] + [
        (EXTRA, "An extra attribute…")
    ]


def _event_type_choices() -> list[tuple[str, str]]:
    return [("", "None: the field alone")] + [(event_type.key, event_type.name) for event_type in event_types()]


def _number(text: str, *, whole: bool) -> int | float:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        if whole:
            raise
    number = float(text)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(text)
    return number


class CriterionForm(forms.Form):
    field = forms.ChoiceField(label="Customer field")
    extra_key = forms.CharField(
        required=False, max_length=60, label="Extra attribute", help_text="Its key in the customer's extra attributes."
    )
    operator = forms.ChoiceField(choices=[(name, scoring.OPERATOR_LABELS[name]) for name in scoring.OPERATORS])
    values = forms.CharField(
        required=False,
        max_length=2000,
        help_text=(
            "Separated by commas: “Software, SaaS”; one number for “is at least” or “is at most”, two for “is between”."
        ),
    )
    points = forms.IntegerField(required=False, initial=0, help_text="Not used by a banded criterion.")
    group = forms.ChoiceField(choices=CriterionGroup.choices, initial=CriterionGroup.FIT)
    gate = forms.ChoiceField(
        label="Counts as",
        choices=Gate.choices,
        initial=Gate.POINTS,
        required=False,
        help_text=(
            "A must-have: only customers it matches qualify (no data: they need data). "
            "A disqualifier: customers it matches never qualify. Either may also give points."
        ),
    )
    label = forms.CharField(required=False, max_length=200, help_text="In plain words, e.g. “Industry fit”.")
    # Engagement from events with decay: the field is then the imported column, used for accounts without events.
    decay_event_type = forms.ChoiceField(
        label="Read events of type",
        choices=_event_type_choices,  # a callable: read when the form is shown or checked, not when it is made
        required=False,
        help_text="Counts this type's events, decayed, instead of the field; accounts without events keep the field.",
    )
    decay_points = forms.FloatField(label="Worth per event", required=False, min_value=0, max_value=1_000)
    decay_half_life = forms.FloatField(label="Half-life (days)", required=False, min_value=0.01, max_value=3_650)
    decay_cap_per_day = forms.IntegerField(
        label="Events a day, at most", required=False, min_value=1, max_value=1_000_000, help_text="Empty: no cap."
    )
    decay_cap_total = forms.FloatField(
        label="Worth in all, at most", required=False, min_value=0, max_value=1_000_000, help_text="Empty: no cap."
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)
    # Carries no data: the band rows' messages attach to it.
    bands = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, band_rows: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = _field_choices()

        self.band_rows = band_rows
        for number in range(band_rows):
            self.fields[f"band_label_{number}"] = forms.CharField(required=False, max_length=40, label="Band")
            self.fields[f"band_min_{number}"] = forms.CharField(required=False, max_length=30, label="From")
            self.fields[f"band_max_{number}"] = forms.CharField(required=False, max_length=30, label="To")
            self.fields[f"band_points_{number}"] = forms.IntegerField(required=False, label="Points")

    @classmethod
    def for_criterion(cls, criterion: Criterion | None, revision: int, data=None) -> "CriterionForm":
        initial = {"revision": revision, "points": 0, "group": CriterionGroup.FIT, "gate": Gate.POINTS}
        bands = []
        if criterion is not None:
            extra = criterion.field.startswith(scoring.EXTRA_PREFIX)
            initial.update(
                field=EXTRA if extra else criterion.field,
                extra_key=criterion.field.removeprefix(scoring.EXTRA_PREFIX) if extra else "",
                operator=criterion.operator,
                values=", ".join(str(value) for value in criterion.values or ()),
                points=criterion.points,
                group=criterion.group,
                gate=criterion.gate,
                label=criterion.label,
            )
            decay = criterion.decay or {}
            if decay:
                initial.update(
                    decay_event_type=decay.get("event_type", ""),
                    decay_points=decay.get("points"),
                    decay_half_life=decay.get("half_life"),
                    decay_cap_per_day=decay.get("cap_per_day"),
                    decay_cap_total=decay.get("cap_total"),
                )
            bands = criterion.bands or []
            for number, band in enumerate(bands):
                initial[f"band_label_{number}"] = band.get("label", "")
                initial[f"band_min_{number}"] = "" if band.get("min") is None else band["min"]
                initial[f"band_max_{number}"] = "" if band.get("max") is None else band["max"]
                initial[f"band_points_{number}"] = band["points"]
        rows = max(3, len(bands) + 1)
        if data is not None:
            rows = max(rows, sum(1 for key in data if key.startswith("band_label_")))
        # The edit form shares the page with the add form: its own ids keep every label on its own field.
        auto_id = "id_%s" if criterion is None else f"id_criterion_{criterion.pk}_%s"
        return cls(data, initial=initial, band_rows=rows, auto_id=auto_id)

    @property
    def band_fields(self) -> list[tuple]:
        names = ("label", "min", "max", "points")
        return [tuple(self[f"band_{name}_{n}"] for name in names) for n in range(self.band_rows)]

    def clean(self):
        cleaned = super().clean()
        field_name = cleaned.get("field")
        if field_name == EXTRA:
            key = (cleaned.get("extra_key") or "").strip()
            if not key:
                self.add_error("extra_key", "Name the extra attribute this criterion reads.")
                return cleaned
            field_name = scoring.EXTRA_PREFIX + key
        kind = field_kind(field_name) if field_name else None
        if kind is None:
            return cleaned
        cleaned["field_name"] = field_name
        operator = cleaned.get("operator")
        if operator is None:
            return cleaned
        allowed = scoring.OPERATORS_BY_KIND[kind]
        if operator not in allowed:
            names = ", ".join(f"“{scoring.OPERATOR_LABELS[name]}”" for name in allowed)
            self.add_error(
                "operator",
                f"“{scoring.OPERATOR_LABELS[operator]}” does not fit {field_label(field_name)}; use {names}.",
            )
            return cleaned
        cleaned["decay"] = self._decay(cleaned)
        # Events are counted as numbers with decimals: a criterion reading them takes decimals, as an extra does.
        read_as = EXTRA if cleaned["decay"] and kind == "number" else kind
        cleaned["parsed_values"] = self._parse_values(operator, read_as, cleaned.get("values") or "")
        cleaned["parsed_bands"] = self._parse_bands(read_as) if operator == "bands" else []
        if cleaned.get("points") is None:
            cleaned["points"] = 0
        return cleaned

    def _decay(self, cleaned: dict) -> dict:
        event_type = cleaned.get("decay_event_type") or ""
        if not event_type:
            return {}
        if cleaned.get("decay_points") is None:
            self.add_error("decay_points", "Give what one event is worth (1, say).")
        if cleaned.get("decay_half_life") is None:
            self.add_error("decay_half_life", "Give the half-life in days (14, say).")
        return {
            "event_type": event_type,
            "points": cleaned.get("decay_points"),
            "half_life": cleaned.get("decay_half_life"),
            "cap_per_day": cleaned.get("decay_cap_per_day"),
            "cap_total": cleaned.get("decay_cap_total"),
        }

    @property
    def decay_fields(self) -> list:
        names = ("event_type", "points", "half_life", "cap_per_day", "cap_total")
        return [self[f"decay_{name}"] for name in names]

    def _parse_values(self, operator: str, kind: str, text: str) -> list:
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if operator in LIST_OPERATORS:
            if not parts:
                self.add_error("values", "Give at least one value, separated by commas.")
            return parts
        if operator in NUMBER_VALUE_OPERATORS:
            wanted = 2 if operator == "between" else 1
            try:
                numbers = [_number(part, whole=kind != EXTRA) for part in parts]
            except ValueError:
                whole = "whole numbers" if kind != EXTRA else "numbers"
                self.add_error("values", f"“{text.strip()}” is not {wanted} {whole} separated by a comma.")
                return []
            if len(numbers) != wanted:
                self.add_error("values", f"Give {'two numbers separated by a comma' if wanted == 2 else 'one number'}.")
            return numbers
        if parts:
            self.add_error("values", f"“{scoring.OPERATOR_LABELS[operator]}” takes no values: leave them empty.")
        return []

    def _parse_bands(self, kind: str) -> list[dict]:
        bands = []
        rows = _rows(self, "band", ("label", "min", "max", "points"), self.band_rows)
        for number, row in enumerate(rows, start=1):
            bounds = {}
            for bound in ("min", "max"):
                text = (row[bound] or "").strip()
                try:
                    bounds[bound] = _number(text, whole=kind != EXTRA) if text else None
                except ValueError:
                    self.add_error(
                        "bands", f"Band {number}: “{text}” is not a {'whole ' if kind != EXTRA else ''}number."
                    )
                    return []
            if row["points"] is None:
                self.add_error("bands", f"Band {number}: give its points.")
                return []
            bands.append({"label": (row["label"] or "").strip(), **bounds, "points": row["points"]})
        if not bands:
            self.add_error("bands", "Give at least one band: its range and its points.")
        return bands

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "field": data["field_name"],
            "operator": data["operator"],
            "values": data["parsed_values"],
            "bands": data["parsed_bands"],
            "points": data["points"],
            "group": data["group"],
            "gate": data.get("gate") or Gate.POINTS,
            "label": data["label"],
            "decay": data.get("decay") or {},
        }
