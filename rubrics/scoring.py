"""The scoring engine: a rubric and a customer's attributes in, a score and its reasons out.

Pure Python, no Django: frozen dataclasses in, a ScoreResult out. The bulk
re-score compiles the same rubric to SQL (``rubrics/compile.py``) and a
property-based test checks that both give the same numbers, so the rules below
are written to be expressible in SQL exactly:

- text is compared case-insensitively for the ASCII letters A-Z only (what
  SQLite's ``lower()`` does; PostgreSQL is made to do the same), other
  characters must match exactly; nothing is trimmed;
- a missing value (None, "", or an extra attribute of the wrong JSON type) is
  "no data": the criterion neither matches nor misses, it scores 0 and is
  reported apart, except for "is empty", which is about exactly that;
- numbers of model fields are whole numbers compared with whole numbers; extra
  attributes are compared as floating point numbers;
- a banded criterion gives the points of the first band that holds the value.

Each matched criterion (each band of a banded one) has a slot: its bit in the
``matched_mask`` stored with a score, from which ``explain`` rebuilds the
breakdown that produced the total.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

EXTRA_PREFIX = "extra."
MAX_SLOTS = 62  # bits of a signed 64-bit integer, less the sign

GROUPS = ("fit", "engagement", "qualitative")

# Operators, by the kind of value they read.
CATEGORY_OPERATORS = ("in", "not_in")
TEXT_OPERATORS = ("contains_any",)
NUMBER_OPERATORS = ("gte", "lte", "between", "bands")
BOOLEAN_OPERATORS = ("true", "false")
OPERATORS = (*CATEGORY_OPERATORS, *TEXT_OPERATORS, *NUMBER_OPERATORS, *BOOLEAN_OPERATORS, "empty")
OPERATORS_BY_KIND = {
    "category": (*CATEGORY_OPERATORS, "empty"),
    "text": (*TEXT_OPERATORS, *CATEGORY_OPERATORS, "empty"),
    "number": (*NUMBER_OPERATORS, "empty"),
    "boolean": (*BOOLEAN_OPERATORS, "empty"),
    "extra": OPERATORS,
}

MATCHED, MISSED, NO_DATA = "matched", "missed", "no data"

ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str) -> str:
    """Lower-case the ASCII letters only, as the SQL path does."""
    return text.translate(ASCII_LOWER)


@dataclass(frozen=True)
class Band:
    points: int
    min: float | None = None
    max: float | None = None
    label: str = ""

    def holds(self, value: float, as_float: bool = False) -> bool:
        low, high = self.min, self.max
        if as_float:
            low, high = (None if bound is None else float(bound) for bound in (low, high))
        return (low is None or value >= low) and (high is None or value <= high)


@dataclass(frozen=True)
class Criterion:
    """One rule: ``field`` (an attribute name, or ``extra.<key>``), an operator, its values and points.

    ``kind`` is the kind of the field ("category", "text", "number",
    "boolean"; "extra" for an extra attribute). ``values`` holds strings for
    in / not_in / contains_any, one number for gte / lte, two for between, none
    otherwise. A banded criterion has ``bands`` and no ``points`` of its own.
    """

    id: int
    field: str
    kind: str
    operator: str
    points: int = 0
    values: tuple = ()
    bands: tuple[Band, ...] = ()
    group: str = "fit"
    label: str = ""

    @property
    def slot_count(self) -> int:
        return len(self.bands) if self.operator == "bands" else 1

    @property
    def point_options(self) -> tuple[int, ...]:
        """Every number of points this criterion can give (0 when it does not match)."""
        if self.operator == "bands":
            return (0, *(band.points for band in self.bands))
        return (0, self.points)


@dataclass(frozen=True)
class Grade:
    label: str
    min: int


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]
    threshold: int
    grades: tuple[Grade, ...] = ()
    min_points: int = -3
    max_points: int = 3

    def first_slots(self) -> dict[int, int]:
        """Each criterion's first slot (bit) in the matched mask, by criterion id."""
        slots, next_slot = {}, 0
        for criterion in self.criteria:
            slots[criterion.id] = next_slot
            next_slot += criterion.slot_count
        return slots

    @property
    def slot_count(self) -> int:
        return sum(criterion.slot_count for criterion in self.criteria)

    def grade_for(self, total: int) -> str | None:
        for grade in sorted(self.grades, key=lambda grade: grade.min, reverse=True):
            if total >= grade.min:
                return grade.label
        return None

    @property
    def highest_total(self) -> int:
        return sum(max(criterion.point_options) for criterion in self.criteria)

    @property
    def lowest_total(self) -> int:
        return sum(min(criterion.point_options) for criterion in self.criteria)


@dataclass(frozen=True)
class Outcome:
    """What one criterion made of a customer: matched, missed or no data, and the points it gave."""

    criterion: Criterion
    status: str
    points: int = 0
    value: Any = None
    band: Band | None = None


@dataclass(frozen=True)
class ScoreResult:
    total: int
    subtotals: dict[str, int]
    qualified: bool
    grade: str | None
    outcomes: tuple[Outcome, ...]
    matched_mask: int
    no_data_mask: int

    @property
    def matched(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == MATCHED]

    @property
    def no_data(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == NO_DATA]


def value_of(attributes: Mapping[str, Any], field_name: str) -> Any:
    if field_name.startswith(EXTRA_PREFIX):
        extra = attributes.get("extra") or {}
        return extra.get(field_name.removeprefix(EXTRA_PREFIX)) if isinstance(extra, Mapping) else None
    return attributes.get(field_name)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _comparable(criterion: Criterion, value: Any) -> Any:
    """The value as the operator reads it, or None for "no data"."""
    if criterion.operator in (*CATEGORY_OPERATORS, *TEXT_OPERATORS):
        return fold(value) if isinstance(value, str) and value != "" else None
    if criterion.operator in NUMBER_OPERATORS:
        if not _is_number(value):
            return None
        return float(value) if criterion.kind == "extra" else value
    if criterion.operator in BOOLEAN_OPERATORS:
        return value if isinstance(value, bool) else None
    raise ValueError(f"unknown operator {criterion.operator!r}")


def evaluate(criterion: Criterion, value: Any) -> tuple[str, int, Band | None]:
    """(status, points, band) of one criterion for one value."""
    if criterion.operator == "empty":
        empty = value is None or value == ""
        return (MATCHED, criterion.points, None) if empty else (MISSED, 0, None)
    comparable = _comparable(criterion, value)
    if comparable is None:
        return NO_DATA, 0, None
    operator, values = criterion.operator, criterion.values
    if criterion.kind == "extra" and operator in NUMBER_OPERATORS:
        # Extra attributes compare as floating point numbers on both sides, as in SQL.
        values = tuple(float(number) for number in values)
    if operator == "bands":
        for band in criterion.bands:
            if band.holds(comparable, as_float=criterion.kind == "extra"):
                return MATCHED, band.points, band
        return MISSED, 0, None
    if operator == "in":
        hit = comparable in {fold(text) for text in values}
    elif operator == "not_in":
        hit = comparable not in {fold(text) for text in values}
    elif operator == "contains_any":
        hit = any(fold(text) in comparable for text in values)
    elif operator == "gte":
        hit = comparable >= values[0]
    elif operator == "lte":
        hit = comparable <= values[0]
    elif operator == "between":
        hit = values[0] <= comparable <= values[1]
    elif operator == "true":
        hit = comparable is True
    else:  # "false"
        hit = comparable is False
    return (MATCHED, criterion.points, None) if hit else (MISSED, 0, None)


def score(rubric: Rubric, attributes: Mapping[str, Any]) -> ScoreResult:
    """Score one customer. ``attributes`` maps field names (and "extra") to the customer's values."""
    slots = rubric.first_slots()
    outcomes, subtotals = [], dict.fromkeys(GROUPS, 0)
    matched_mask = no_data_mask = 0
    for criterion in rubric.criteria:
        value = value_of(attributes, criterion.field)
        status, points, band = evaluate(criterion, value)
        outcomes.append(Outcome(criterion, status, points, value, band))
        subtotals[criterion.group] += points
        slot = slots[criterion.id]
        if status == MATCHED:
            matched_mask |= 1 << (slot + (criterion.bands.index(band) if band else 0))
        elif status == NO_DATA:
            no_data_mask |= 1 << slot
    total = sum(subtotals.values())
    return ScoreResult(
        total=total,
        subtotals=subtotals,
        qualified=total >= rubric.threshold,
        grade=rubric.grade_for(total),
        outcomes=tuple(outcomes),
        matched_mask=matched_mask,
        no_data_mask=no_data_mask,
    )


def explain(rubric: Rubric, matched_mask: int, no_data_mask: int = 0) -> list[Outcome]:
    """The outcomes a stored score was made of, from its masks and the version that produced it."""
    slots, outcomes = rubric.first_slots(), []
    for criterion in rubric.criteria:
        slot = slots[criterion.id]
        if criterion.operator == "bands":
            hit = next((b for i, b in enumerate(criterion.bands) if matched_mask >> (slot + i) & 1), None)
            outcome = Outcome(criterion, MATCHED, hit.points, band=hit) if hit else None
        else:
            outcome = Outcome(criterion, MATCHED, criterion.points) if matched_mask >> slot & 1 else None
        if outcome is None:
            outcome = Outcome(criterion, NO_DATA if no_data_mask >> slot & 1 else MISSED)
        outcomes.append(outcome)
    return outcomes


@dataclass
class Problems:
    """Plain-words problems of a rubric: for the rubric as a whole, and per criterion id and field."""

    rubric: list[str] = field(default_factory=list)
    criteria: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    def add(self, criterion: Criterion, field_name: str, message: str) -> None:
        self.criteria.setdefault(criterion.id, {}).setdefault(field_name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.rubric or self.criteria)


def criterion_problems(criterion: Criterion, min_points: int, max_points: int) -> dict[str, list[str]]:
    """What is wrong with one criterion, by form field, in plain words."""
    problems = Problems()
    _check_criterion(problems, criterion, min_points, max_points)
    return problems.criteria.get(criterion.id, {})


def rubric_problems(rubric: Rubric) -> Problems:
    """Everything that would make the rubric wrong or useless, in plain words."""
    problems = Problems()
    if rubric.min_points > rubric.max_points:
        problems.rubric.append("The lowest points allowed are above the highest.")
    for criterion in rubric.criteria:
        _check_criterion(problems, criterion, rubric.min_points, rubric.max_points)
    if rubric.slot_count > MAX_SLOTS:
        problems.rubric.append(
            f"A rubric holds at most {MAX_SLOTS} criteria and bands; this one has {rubric.slot_count}."
        )
    if not problems.criteria and rubric.threshold > rubric.highest_total:
        problems.rubric.append(
            f"No customer could ever reach the threshold of {rubric.threshold}: "
            f"the most any customer can score is {rubric.highest_total}."
        )
    labels = [grade.label for grade in rubric.grades]
    if len(set(labels)) != len(labels):
        problems.rubric.append("Two grades have the same label.")
    return problems


def _check_criterion(problems: Problems, criterion: Criterion, min_points: int, max_points: int) -> None:
    allowed = OPERATORS_BY_KIND.get(criterion.kind, ())
    if criterion.operator not in allowed:
        names = ", ".join(OPERATOR_LABELS[operator] for operator in allowed)
        problems.add(
            criterion,
            "operator",
            f"“{OPERATOR_LABELS.get(criterion.operator, criterion.operator)}” does not fit this field; use {names}.",
        )
        return
    if criterion.group not in GROUPS:
        problems.add(criterion, "group", f"The group must be one of {', '.join(GROUPS)}.")
    operator, values = criterion.operator, criterion.values
    if operator in (*CATEGORY_OPERATORS, *TEXT_OPERATORS):
        if not values or any(not isinstance(text, str) or text == "" for text in values):
            problems.add(criterion, "values", "Give at least one value, none of them empty.")
    elif operator in ("gte", "lte", "between"):
        wanted = 2 if operator == "between" else 1
        if len(values) != wanted or not all(_is_number(number) for number in values):
            problems.add(criterion, "values", f"Give {'two numbers' if wanted == 2 else 'one number'}.")
        elif criterion.kind != "extra" and not all(isinstance(number, int) for number in values):
            problems.add(criterion, "values", "This field holds whole numbers: give whole numbers.")
        elif operator == "between" and values[0] > values[1]:
            problems.add(criterion, "values", "The first number of “between” must not be above the second.")
    elif values:
        problems.add(criterion, "values", "This operator takes no values.")
    if operator == "bands":
        _check_bands(problems, criterion, min_points, max_points)
    elif not min_points <= criterion.points <= max_points:
        problems.add(criterion, "points", f"Points must be between {min_points} and {max_points}.")


def _check_bands(problems: Problems, criterion: Criterion, min_points: int, max_points: int) -> None:
    if not criterion.bands:
        problems.add(criterion, "bands", "Give at least one band.")
    for number, band in enumerate(criterion.bands, start=1):
        if band.min is None and band.max is None:
            problems.add(criterion, "bands", f"Band {number} needs a lowest or a highest value.")
        elif band.min is not None and band.max is not None and band.min > band.max:
            problems.add(criterion, "bands", f"Band {number} starts above where it ends.")
        if criterion.kind != "extra" and not all(
            bound is None or isinstance(bound, int) and not isinstance(bound, bool) for bound in (band.min, band.max)
        ):
            problems.add(criterion, "bands", f"Band {number}: this field holds whole numbers.")
        if not min_points <= band.points <= max_points:
            problems.add(criterion, "bands", f"Band {number}: points must be between {min_points} and {max_points}.")


OPERATOR_LABELS = {
    "in": "is one of",
    "not_in": "is not one of",
    "empty": "is empty",
    "gte": "is at least",
    "lte": "is at most",
    "between": "is between",
    "bands": "falls in a band",
    "true": "is yes",
    "false": "is no",
    "contains_any": "contains any of",
}
