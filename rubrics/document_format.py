"""What a rubric document is (format "icp-rubric/1"), and reading one: every problem found, by location.

A document is one version of a rubric as JSON: the settings, then the criteria in their order. Its keys are
always written in the order of ``DOCUMENT_KEYS`` (and ``CRITERION_KEYS``, ``BAND_KEYS``), every setting is
written even when empty, and a criterion has exactly the keys its operator uses, so a rubric kept in git
diffs cleanly. Reading is lenient only about what may be left out (see ``document_read``).

What makes a rubric wrong is not decided here: once the document has the right shape, the editor's own rules
(``problems.py``, ``fields.py``) judge it, and their messages are filed under the document's locations
(``criteria[2].values``). A document that reads without problems is a draft that can be published.
"""

import json
import math
import re
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from ops.text import text_problem

from . import scoring
from .fields import FIELDS, field_kind
from .models import Criterion, Rubric
from .problems import cap_problems, rubric_problems
from .selectors import caps_spec, decay_spec

FORMAT = "icp-rubric/1"
DOCUMENT_KEYS = ("format", "profile", "rubric", "threshold", "min_points", "max_points", "grades", "caps", "note")
DOCUMENT_KEYS += ("criteria",)
CRITERION_KEYS = ("label", "group", "field", "operator", "values", "bands", "points", "gate", "decay")
DECAY_KEYS = ("event_type", "points", "half_life", "cap_per_day", "cap_total")
BAND_KEYS = ("label", "min", "max", "points")
GRADE_KEYS = ("label", "min")
# The operators that read values (the others take none); a banded criterion has bands instead of points.
VALUE_OPERATORS = (*scoring.CATEGORY_OPERATORS, *scoring.TEXT_OPERATORS, "gte", "lte", "between")

# The editor's limits (forms.py), and the document's own where the editor has none, so nothing is unbounded.
POINTS_LIMIT = 100  # min_points and max_points
CAP_LIMIT = 10_000
GRADE_LABEL_LIMIT = BAND_LABEL_LIMIT = 40
LABEL_LIMIT = Criterion._meta.get_field("label").max_length
NAME_LIMIT = Rubric._meta.get_field("name").max_length
SHORT_TEXT_LIMIT = Criterion._meta.get_field("field").max_length  # field, operator, group, gate
NOTE_LIMIT = 10_000
VALUE_LIMIT, VALUES_LIMIT, GRADES_LIMIT = 200, 200, 20
WHOLE_RANGE = (-(2**31), 2**31 - 1)  # threshold and grades: totals are integers
NUMBER_RANGE = (-(2**63), 2**63 - 1)  # values and band bounds: the widest customer column (bigint)
PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}")


@dataclass
class RubricDocument:
    """A document read and normalised: criteria as ``Criterion`` rows hold them (position is their order)."""

    profile: str
    rubric: str
    threshold: int
    min_points: int = -3
    max_points: int = 3
    grades: list[dict] = field(default_factory=list)
    caps: dict[str, int] = field(default_factory=dict)
    note: str = ""
    criteria: list[dict] = field(default_factory=list)

    def content(self) -> dict:
        """The document without its format and names: what a draft is made of."""
        return {
            "threshold": self.threshold,
            "min_points": self.min_points,
            "max_points": self.max_points,
            "grades": [{"label": grade["label"], "min": grade["min"]} for grade in self.grades],
            "caps": dict(self.caps),
            "note": self.note,
            "criteria": [_criterion_json(criterion) for criterion in self.criteria],
        }

    def as_json(self) -> dict:
        return {"format": FORMAT, "profile": self.profile, "rubric": self.rubric, **self.content()}


def _criterion_json(criterion: dict) -> dict:
    operator = criterion["operator"]
    written = {key: criterion[key] for key in ("label", "group", "field", "operator")}
    if operator in VALUE_OPERATORS:
        written["values"] = list(criterion["values"])
    if operator == "bands":
        written["bands"] = [{key: band[key] for key in BAND_KEYS} for band in criterion["bands"]]
    else:
        written["points"] = criterion["points"]
    written["gate"] = criterion["gate"]
    if criterion.get("decay"):
        written["decay"] = {key: criterion["decay"].get(key) for key in DECAY_KEYS}
    return written


def grades_ordered(grades: list[dict]) -> list[dict]:
    """Highest first, as the editor keeps them."""
    return sorted(grades, key=lambda grade: grade["min"], reverse=True)


class _Errors(dict):
    """Messages by location."""

    def add(self, location: str, message: str) -> None:
        self.setdefault(location or NON_FIELD_ERRORS, []).append(message)

    @property
    def count(self) -> int:
        return sum(len(messages) for messages in self.values())


def _at(parent: str, key: object) -> str:
    """``criteria[2]``, ``caps.fit``; a key that is not a plain name is quoted as JSON (ASCII, 60 characters)."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    key = str(key)
    if not PLAIN_KEY.fullmatch(key):
        return f"{parent}[{json.dumps(key[:60])}]"
    return f"{parent}.{key}" if parent else key


def _object(errors: _Errors, location: str, value, keys: tuple, required: tuple, what: str) -> dict | None:
    if not isinstance(value, dict):
        errors.add(location, f"{what} is a JSON object.")
        return None
    for key in value:
        if key not in keys:
            errors.add(_at(location, key), f"Unknown key: {what.lower()} has {', '.join(keys)}.")
    for key in required:
        if key not in value:
            errors.add(_at(location, key), "This key is required.")
    return value


def _integer(errors: _Errors, location: str, value, low: int | None = None, high: int | None = None) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool):
        errors.add(location, "Give a whole number.")
        return None
    if low is not None and not low <= value <= high:
        errors.add(location, f"Give a whole number from {low:,} to {high:,}.")
        return None
    return value


def _number(value) -> bool:
    """A JSON number the engine and both databases compare exactly."""
    if isinstance(value, float):
        return math.isfinite(value)
    return scoring.is_number(value) and NUMBER_RANGE[0] <= value <= NUMBER_RANGE[1]


def _text(errors: _Errors, location: str, value, limit: int, *, blank: bool = True) -> str | None:
    if not isinstance(value, str):
        errors.add(location, "Give a text.")
        return None
    problem = text_problem(value)
    if problem or len(value) > limit:
        errors.add(location, problem or f"At most {limit:,} characters.")
        return None
    if not blank and not value.strip():
        errors.add(location, "Must not be empty.")
        return None
    return value


def _list(errors: _Errors, location: str, value, limit: int, what: str) -> list | None:
    if not isinstance(value, list):
        errors.add(location, "Give a JSON list.")
        return None
    if len(value) > limit:
        errors.add(location, f"At most {limit:,} {what}.")
        return None
    return value


def document_read(document: object, *, names_required: bool = True) -> RubricDocument:
    """The document checked whole and normalised; ValidationError({location: [messages]}) lists every problem.

    1. its shape: a JSON object of known keys, each of the right type and size (``format``, ``threshold`` and
       ``criteria`` are required; ``profile`` and ``rubric`` when ``names_required``; the others default to
       -3 and 3 points, no grades, no caps, no note; a criterion needs ``field`` and ``operator``, its
       ``group`` defaults to fit, ``gate`` to "" (points only), ``values`` and ``bands`` to none, ``points``
       to 0);
    2. the criteria and settings of the right shape, by the editor's rules (``rubric_problems``), each
       message filed under its location; whether the threshold can be reached only once all is right.
    """
    errors = _Errors()
    top = _object(errors, "", document, DOCUMENT_KEYS, ("format", "threshold", "criteria"), "A rubric document")
    if top is None:
        raise ValidationError(dict(errors))
    if "format" in top and top["format"] != FORMAT:
        errors.add("format", f"Give “{FORMAT}”: the only format this site reads.")
    names = {}
    for key in ("profile", "rubric"):
        if key in top:
            names[key] = _text(errors, key, top[key], NAME_LIMIT, blank=False)
        elif names_required:
            errors.add(key, "This key is required: name the profile and rubric to load into.")
    threshold = _integer(errors, "threshold", top["threshold"], *WHOLE_RANGE) if "threshold" in top else None
    low, high = (
        _integer(errors, key, top.get(key, default), -POINTS_LIMIT, POINTS_LIMIT)
        for key, default in (("min_points", -3), ("max_points", 3))
    )
    note = _text(errors, "note", top.get("note", ""), NOTE_LIMIT)
    grades = _grades(errors, top.get("grades", []))
    caps = _caps(errors, top.get("caps", {}))
    criteria, specs = _criteria(errors, top.get("criteria", []))
    candidate = scoring.Rubric(
        criteria=tuple(spec for spec in specs if spec is not None),
        threshold=threshold or 0,
        grades=tuple(scoring.Grade(label=grade["label"], min=grade["min"]) for grade in grades or ()),
        min_points=-POINTS_LIMIT if low is None else low,
        max_points=POINTS_LIMIT if high is None else high,
        caps=caps_spec(caps),
    )
    _file_problems(errors, candidate, whole=not errors, judged={"max_points": low is not None and high is not None})
    if errors:
        raise ValidationError(dict(errors))
    return RubricDocument(
        profile=(names.get("profile") or "").strip(),
        rubric=(names.get("rubric") or "").strip(),
        threshold=threshold,
        min_points=low,
        max_points=high,
        grades=grades_ordered(grades),
        caps=dict(caps_spec(caps)),
        note=note.strip(),
        criteria=criteria,
    )


def _grades(errors: _Errors, value) -> list[dict] | None:
    grades = _list(errors, "grades", value, GRADES_LIMIT, "grades")
    if grades is None:
        return None
    read = []
    for number, grade in enumerate(grades):
        location = _at("grades", number)
        if _object(errors, location, grade, GRADE_KEYS, GRADE_KEYS, "A grade") is None:
            continue
        label = (
            _text(errors, _at(location, "label"), grade["label"], GRADE_LABEL_LIMIT, blank=False)
            if "label" in grade
            else None
        )
        minimum = _integer(errors, _at(location, "min"), grade.get("min"), *WHOLE_RANGE) if "min" in grade else None
        if label is not None and minimum is not None:
            read.append({"label": label.strip(), "min": minimum})
    return read if len(read) == len(grades) else None


def _caps(errors: _Errors, value) -> dict[str, int] | None:
    if not isinstance(value, dict):
        errors.add("caps", "Caps are a JSON object: the most points a group adds, by group.")
        return None
    read = {}
    for group, cap in value.items():
        location = _at("caps", group)
        if _integer(errors, location, cap) is None:
            continue
        if cap > CAP_LIMIT:
            errors.add(location, f"A cap is at most {CAP_LIMIT:,} points.")
            continue
        read[group] = cap
    # Which groups there are, and that a cap is 0 or more, is the editor's rule.
    for group, messages in cap_problems(tuple(read.items())).items():
        for message in messages:
            errors.add(_at("caps", group), message)
        read.pop(group, None)
    return read if len(read) == len(value) else None


def _criteria(errors: _Errors, value) -> tuple[list[dict], list[scoring.Criterion | None]]:
    criteria = _list(errors, "criteria", value, scoring.MAX_SLOTS, "criteria (each takes one of the rubric's slots)")
    read, specs = [], []
    for index, criterion in enumerate(criteria or ()):
        row = _criterion(errors, _at("criteria", index), criterion)
        read.append(row)
        specs.append(None if row is None else _spec(index, row))
    return read, specs


def _criterion(errors: _Errors, location: str, value) -> dict | None:
    criterion = _object(errors, location, value, CRITERION_KEYS, ("field", "operator"), "A criterion")
    if criterion is None:
        return None
    before = errors.count
    row = {
        "label": _text(errors, _at(location, "label"), criterion.get("label", ""), LABEL_LIMIT),
        "group": _text(errors, _at(location, "group"), criterion.get("group", "fit"), SHORT_TEXT_LIMIT),
        "field": _field(errors, _at(location, "field"), criterion["field"]) if "field" in criterion else None,
        "operator": (
            _text(errors, _at(location, "operator"), criterion["operator"], SHORT_TEXT_LIMIT)
            if "operator" in criterion
            else None
        ),
        "values": _values(errors, _at(location, "values"), criterion.get("values", [])),
        "bands": _bands(errors, _at(location, "bands"), criterion.get("bands", [])),
        "points": _integer(errors, _at(location, "points"), criterion.get("points", 0)),
        "gate": _text(errors, _at(location, "gate"), criterion.get("gate", ""), SHORT_TEXT_LIMIT),
        "decay": _decay(errors, _at(location, "decay"), criterion.get("decay") or {}),
    }
    if row["operator"] == "bands" and criterion.get("points", 0) != 0:
        errors.add(_at(location, "points"), "A banded criterion gives the points of its bands: leave points out.")
    if row["operator"] not in (None, "bands") and isinstance(criterion.get("bands"), list) and criterion["bands"]:
        errors.add(_at(location, "bands"), "Only a banded criterion (operator “bands”) has bands.")
    if errors.count > before:
        return None
    row["label"] = row["label"].strip()
    if row["operator"] == "bands":
        row["points"] = 0
    return row


def _decay(errors: _Errors, location: str, value) -> dict | None:
    """An engagement criterion's events with decay ({} for none); the values are judged by rubric_problems."""
    if value == {}:
        return {}
    decay = _object(errors, location, value, DECAY_KEYS, ("event_type", "points", "half_life"), "Decay")
    if decay is None:
        return None
    before = errors.count
    _text(errors, _at(location, "event_type"), decay.get("event_type"), 50, blank=False)
    for key in ("points", "half_life", "cap_per_day", "cap_total"):
        if decay.get(key) is not None and not _number(decay[key]):
            errors.add(_at(location, key), "Give a number (finite), or null for no cap.")
    if errors.count > before:
        return None
    return {key: decay.get(key) for key in DECAY_KEYS}


def _field(errors: _Errors, location: str, value) -> str | None:
    name = _text(errors, location, value, SHORT_TEXT_LIMIT, blank=False)
    if name is not None and field_kind(name) is None:
        errors.add(
            location,
            f"“{name}” is not a customer field a criterion can read: use one of {', '.join(sorted(FIELDS))}, "
            f"or {scoring.EXTRA_PREFIX}<key> for an extra attribute (letters, digits and _, at most 60).",
        )
        return None
    return name


def _values(errors: _Errors, location: str, value) -> list | None:
    values = _list(errors, location, value, VALUES_LIMIT, "values")
    if values is None:
        return None
    before = errors.count
    for number, item in enumerate(values):
        if isinstance(item, str):
            _text(errors, _at(location, number), item, VALUE_LIMIT)
        elif not _number(item):
            errors.add(_at(location, number), "Give a text, or a number (finite, 64-bit at most).")
    return values if errors.count == before else None


def _bands(errors: _Errors, location: str, value) -> list[dict] | None:
    bands = _list(errors, location, value, scoring.MAX_SLOTS, "bands (each takes one of the rubric's slots)")
    if bands is None:
        return None
    before, read = errors.count, []
    for number, band in enumerate(bands):
        at = _at(location, number)
        if _object(errors, at, band, BAND_KEYS, ("points",), "A band") is None:
            continue
        for bound in ("min", "max"):
            if band.get(bound) is not None and not _number(band[bound]):
                errors.add(_at(at, bound), "Give a number (finite, 64-bit at most), or null for no bound.")
        read.append(
            {
                "label": (_text(errors, _at(at, "label"), band.get("label", ""), BAND_LABEL_LIMIT) or "").strip(),
                "min": band.get("min"),
                "max": band.get("max"),
                "points": _integer(errors, _at(at, "points"), band["points"]) if "points" in band else None,
            }
        )
    return read if errors.count == before else None


def _spec(index: int, row: dict) -> scoring.Criterion:
    return scoring.Criterion(
        id=index,
        field=row["field"],
        kind=field_kind(row["field"]),
        operator=row["operator"],
        points=row["points"],
        values=tuple(row["values"]),
        bands=tuple(
            scoring.Band(points=band["points"], min=band["min"], max=band["max"], label=band["label"])
            for band in row["bands"]
        ),
        group=row["group"],
        label=row["label"],
        gate=row["gate"],
        decay=decay_spec(row["decay"]),
    )


def _spelling(name: str, kind: str) -> str:
    """How a document writes what the editor's message names in words (“is at least” is ``gte``)."""
    if name == "operator":
        return f" In a document: {', '.join(scoring.OPERATORS_BY_KIND[kind])}."
    if name == "gate":
        return ' In a document: "" (adds points), "must" or "never".'
    return ""


def _file_problems(errors: _Errors, candidate: scoring.Rubric, *, whole: bool, judged: dict[str, bool]) -> None:
    """The editor's problems with the parts of the right shape, under their locations.

    A criterion's problems always; the points range when both ends were read, the grades and the number of
    slots when they were; whether the threshold can be reached only when the whole document was read (with a
    criterion left out, the highest total would be wrong). Caps were judged as they were read.
    """
    problems = rubric_problems(candidate)
    kinds = {spec.id: spec.kind for spec in candidate.criteria}
    for index, fields in problems.criteria.items():
        for name, messages in fields.items():
            for message in messages:
                errors.add(_at(_at("criteria", index), name), message + _spelling(name, kinds[index]))
    for setting, messages in problems.settings.items():
        if setting == "caps" or (setting == "threshold" and not whole) or not judged.get(setting, True):
            continue
        for message in messages:
            errors.add(setting, message)
