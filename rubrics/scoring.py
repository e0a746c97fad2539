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
- a banded criterion gives the points of the first band that holds the value;
- a criterion may be a gate: a must-have (the customer qualifies only if it
  matches; no data means the customer "needs data") or a disqualifier (a match
  keeps the customer out whatever its points; no data does not). A gate gives
  its points like any criterion;
- an engagement criterion may read events instead of its field (``Criterion.decay``): its value is then the
  decayed sum of the account's daily counts of one event type (``decayed_value``), when the account has any
  events at all; without events it is the field (the imported column). Either is compared as a floating
  point number;
- a group (fit, engagement, qualitative) may have a cap: its subtotal is
  min(the points of its criteria, the cap). The total is the sum of the capped
  subtotals; a customer qualifies when it passes the gates and its total
  reaches the threshold.

Each matched criterion (each band of a banded one) has a slot: its bit in the
``matched_mask`` stored with a score, from which ``explain_score`` rebuilds the
breakdown, the gates and the caps that produced the total and the status.

What is wrong with a rubric, in plain words, is ``rubrics/problems.py``.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

EXTRA_PREFIX = "extra."
ENGAGEMENT = "engagement"  # the attribute holding an account's daily event counts (an ``Engagement``)
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

# What a criterion counts as: points only, or a gate as well.
GATE_MUST, GATE_NEVER = "must", "never"
GATES = ("", GATE_MUST, GATE_NEVER)
GATE_LABELS = {"": "adds points", GATE_MUST: "must-have", GATE_NEVER: "disqualifier"}

# Why a customer qualifies or not, from the first that applies down.
DISQUALIFIED = "disqualified"
MISSES_MUST_HAVE = "misses a must-have"
NEEDS_DATA = "needs data"
BELOW_THRESHOLD = "below the threshold"
QUALIFIED = "qualified"
STATUSES = (DISQUALIFIED, MISSES_MUST_HAVE, NEEDS_DATA, BELOW_THRESHOLD, QUALIFIED)

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
class Decay:
    """How an engagement criterion reads events of ``event_type`` (its key): each event is worth ``points``,
    halved every ``half_life`` days of age; at most ``cap_per_day`` events a day count, and the value is at most
    ``cap_total``. A day's worth is rounded to thousandths (both engines compute the same, exactly)."""

    event_type: str
    points: float
    half_life: float
    cap_per_day: int | None = None
    cap_total: float | None = None

    @property
    def cap_total_thousandths(self) -> int | None:
        return None if self.cap_total is None else math.floor(float(self.cap_total) * 1000 + 0.5)


@dataclass(frozen=True)
class Engagement:
    """An account's daily event counts: by event type key, (age in days, count) pairs. ``has_events`` is False
    when the account has no events at all (its criteria then read their imported columns)."""

    days: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    has_events: bool = False


def day_worth_thousandths(decay: Decay, age: int, count: int) -> int:
    """One day's events, in thousandths: points x min(count, cap per day) x 0.5 ** (age / half-life), rounded.

    Written as the SQL path writes it (compile.py), operation for operation, in double precision."""
    counted = count if decay.cap_per_day is None else min(count, decay.cap_per_day)
    return math.floor(float(decay.points) * counted * 0.5 ** (age / float(decay.half_life)) * 1000.0 + 0.5)


def decayed_value(decay: Decay, days: tuple[tuple[int, int], ...]) -> float:
    """min(cap in all, the sum over days of each day's worth), days of age 0 or more."""
    total = sum(day_worth_thousandths(decay, age, count) for age, count in days if age >= 0)
    cap = decay.cap_total_thousandths
    return (total if cap is None else min(total, cap)) / 1000


@dataclass(frozen=True)
class Criterion:
    """One rule: ``field`` (an attribute name, or ``extra.<key>``), an operator, its values and points.

    ``kind`` is the kind of the field ("category", "text", "number",
    "boolean"; "extra" for an extra attribute). ``values`` holds strings for
    in / not_in / contains_any, one number for gte / lte, two for between, none
    otherwise. A banded criterion has ``bands`` and no ``points`` of its own.
    ``gate`` is "" (points only), GATE_MUST or GATE_NEVER; a banded gate
    matches when any of its bands holds.
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
    gate: str = ""
    decay: Decay | None = None

    @property
    def name(self) -> str:
        return self.label or self.field

    @property
    def gate_label(self) -> str:
        return GATE_LABELS.get(self.gate, self.gate)

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
    """A version's criteria, threshold and grades, and the optional caps: (group, most points it adds)."""

    criteria: tuple[Criterion, ...]
    threshold: int
    grades: tuple[Grade, ...] = ()
    min_points: int = -3
    max_points: int = 3
    caps: tuple[tuple[str, int], ...] = ()

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

    def cap_of(self, group: str) -> int | None:
        """The most points ``group`` adds to the total, or None when it has no cap."""
        return next((cap for capped, cap in self.caps if capped == group), None)

    def capped(self, group: str, subtotal: int) -> int:
        cap = self.cap_of(group)
        return subtotal if cap is None else min(subtotal, cap)

    @property
    def has_gates(self) -> bool:
        return any(criterion.gate in (GATE_MUST, GATE_NEVER) for criterion in self.criteria)

    def _bound(self, pick) -> int:
        return sum(
            self.capped(group, sum(pick(c.point_options) for c in self.criteria if c.group == group))
            for group in GROUPS
        )

    @property
    def highest_total(self) -> int:
        """The most any customer can score (each group up to its cap)."""
        return self._bound(max)

    @property
    def lowest_total(self) -> int:
        return self._bound(min)

    @property
    def rank_offset(self) -> int:
        """What ``rank`` adds to the total of a customer that passes the gates (0 without gates)."""
        return self.highest_total - self.lowest_total + 1 if self.has_gates else 0

    def rank(self, total: int, passes_gates: bool) -> int:
        """A number ordering customers by how well they fit: whoever passes the gates first, then by total.

        Without gates it is the total. With gates, a customer that passes them ranks
        total + (highest_total - lowest_total + 1): above every customer that does not,
        since totals lie between lowest_total and highest_total. Ranks are integers
        that the database computes too (compile.py), so AUC and deciles can group by them.
        """
        return total + self.rank_offset if passes_gates else total


@dataclass(frozen=True)
class Outcome:
    """What one criterion made of a customer: matched, missed or no data, and the points it gave."""

    criterion: Criterion
    status: str
    points: int = 0
    value: Any = None
    band: Band | None = None

    @property
    def words(self) -> str:
        """The outcome as a breakdown shows it: a must-have without data “needs data”, a disqualifier that
        matched “disqualifies”."""
        if self.criterion.gate == GATE_MUST and self.status == NO_DATA:
            return NEEDS_DATA
        if self.criterion.gate == GATE_NEVER and self.status == MATCHED:
            return "matched: disqualifies"
        return self.status


@dataclass(frozen=True)
class CappedGroup:
    """A group whose points went over its cap: ``raw`` points, ``cap`` counted."""

    group: str
    raw: int
    cap: int

    @property
    def cut(self) -> int:
        """The points the cap took away (negative), so the breakdown still adds up to the total."""
        return self.cap - self.raw

    @property
    def words(self) -> str:
        return f"{self.group.capitalize()} {self.raw} points, capped at {self.cap}"


@dataclass(frozen=True)
class Explanation:
    """What a customer's score is made of: every outcome, the subtotals before and after the caps, the total
    (of the capped subtotals), the gates and the status that follows."""

    outcomes: tuple[Outcome, ...]
    raw_subtotals: dict[str, int]
    subtotals: dict[str, int]
    caps: dict[str, int]
    total: int
    threshold: int
    passes_gates: bool
    status: str
    qualified: bool
    grade: str | None
    rank: int

    @property
    def matched(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == MATCHED]

    @property
    def no_data(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == NO_DATA]

    @property
    def disqualified_by(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.criterion.gate == GATE_NEVER and o.status == MATCHED]

    @property
    def must_haves_missed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.criterion.gate == GATE_MUST and o.status == MISSED]

    @property
    def must_haves_without_data(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.criterion.gate == GATE_MUST and o.status == NO_DATA]

    @property
    def capped_groups(self) -> list[CappedGroup]:
        return [
            CappedGroup(group, self.raw_subtotals[group], self.caps[group])
            for group in GROUPS
            if self.subtotals[group] != self.raw_subtotals[group]
        ]

    @property
    def status_words(self) -> str:
        """The status in plain words: “Not qualified: disqualified by Competitor”."""
        if self.status == DISQUALIFIED:
            return f"Not qualified: disqualified by {_names(self.disqualified_by)}"
        if self.status == MISSES_MUST_HAVE:
            return f"Not qualified: misses the must-have {_names(self.must_haves_missed)}"
        if self.status == NEEDS_DATA:
            return "Needs data: " + ", ".join(f"{o.criterion.name} (must-have)" for o in self.must_haves_without_data)
        if self.status == BELOW_THRESHOLD:
            return f"Not qualified: {self.total} points, below the threshold of {self.threshold}"
        return f"Qualified: {self.total} points, at or above the threshold of {self.threshold}"


def _names(outcomes: list[Outcome]) -> str:
    return ", ".join(outcome.criterion.name for outcome in outcomes)


@dataclass(frozen=True)
class ScoreResult(Explanation):
    """A score computed from a customer's attributes, with the masks stored to explain it later."""

    matched_mask: int
    no_data_mask: int


def value_of(attributes: Mapping[str, Any], field_name: str) -> Any:
    if field_name.startswith(EXTRA_PREFIX):
        extra = attributes.get("extra") or {}
        return extra.get(field_name.removeprefix(EXTRA_PREFIX)) if isinstance(extra, Mapping) else None
    return attributes.get(field_name)


def criterion_value(attributes: Mapping[str, Any], criterion: Criterion) -> Any:
    """What the criterion reads: the decayed events when it reads events and the account has some, else its field."""
    if criterion.decay is not None:
        engagement = attributes.get(ENGAGEMENT)
        if isinstance(engagement, Engagement) and engagement.has_events:
            return decayed_value(criterion.decay, tuple(engagement.days.get(criterion.decay.event_type, ())))
    return value_of(attributes, criterion.field)


def source_words(attributes: Mapping[str, Any], criterion: Criterion) -> str | None:
    """Where an engagement criterion's value came from, in words (None for a criterion that reads no events):
    “9 website_visit events, worth 5.2 after decay” or “3, from the imported column website_visits_30d (no
    events)”."""
    if criterion.decay is None:
        return None
    engagement = attributes.get(ENGAGEMENT)
    if isinstance(engagement, Engagement) and engagement.has_events:
        days = tuple(engagement.days.get(criterion.decay.event_type, ()))
        count = sum(number for age, number in days if age >= 0)
        worth = decayed_value(criterion.decay, days)
        return f"{count:,} {criterion.decay.event_type} events, worth {worth:,.1f} after decay"
    value = value_of(attributes, criterion.field)
    shown = "no data" if value is None else f"{value:,}"
    return f"{shown}, from the imported column {criterion.field} (no events)"


def reads_floats(criterion: Criterion) -> bool:
    """Whether numbers are compared as floating point numbers (extra attributes, and events with decay)."""
    return criterion.kind == "extra" or criterion.decay is not None


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _comparable(criterion: Criterion, value: Any) -> Any:
    """The value as the operator reads it, or None for "no data"."""
    if criterion.operator in (*CATEGORY_OPERATORS, *TEXT_OPERATORS):
        return fold(value) if isinstance(value, str) and value != "" else None
    if criterion.operator in NUMBER_OPERATORS:
        if not is_number(value):
            return None
        return float(value) if reads_floats(criterion) else value
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
    if reads_floats(criterion) and operator in NUMBER_OPERATORS:
        # Extra attributes compare as floating point numbers on both sides, as in SQL.
        values = tuple(float(number) for number in values)
    if operator == "bands":
        for band in criterion.bands:
            if band.holds(comparable, as_float=reads_floats(criterion)):
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


def _summary(rubric: Rubric, outcomes: list[Outcome]) -> dict[str, Any]:
    """The subtotals (raw and capped), total, gates, status, grade and rank that the outcomes make."""
    raw = dict.fromkeys(GROUPS, 0)
    for outcome in outcomes:
        raw[outcome.criterion.group] += outcome.points
    subtotals = {group: rubric.capped(group, points) for group, points in raw.items()}
    total = sum(subtotals.values())
    gates = {(outcome.criterion.gate, outcome.status) for outcome in outcomes}
    if (GATE_NEVER, MATCHED) in gates:
        status = DISQUALIFIED
    elif (GATE_MUST, MISSED) in gates:
        status = MISSES_MUST_HAVE
    elif (GATE_MUST, NO_DATA) in gates:
        status = NEEDS_DATA
    else:
        status = QUALIFIED if total >= rubric.threshold else BELOW_THRESHOLD
    passes_gates = status in (QUALIFIED, BELOW_THRESHOLD)
    return {
        "outcomes": tuple(outcomes),
        "raw_subtotals": raw,
        "subtotals": subtotals,
        "caps": {group: cap for group, cap in rubric.caps if group in GROUPS},
        "total": total,
        "threshold": rubric.threshold,
        "passes_gates": passes_gates,
        "status": status,
        "qualified": status == QUALIFIED,
        "grade": rubric.grade_for(total),
        "rank": rubric.rank(total, passes_gates),
    }


def score(rubric: Rubric, attributes: Mapping[str, Any]) -> ScoreResult:
    """Score one customer. ``attributes`` maps field names (and "extra") to the customer's values."""
    slots = rubric.first_slots()
    outcomes = []
    matched_mask = no_data_mask = 0
    for criterion in rubric.criteria:
        value = criterion_value(attributes, criterion)
        status, points, band = evaluate(criterion, value)
        outcomes.append(Outcome(criterion, status, points, value, band))
        slot = slots[criterion.id]
        if status == MATCHED:
            matched_mask |= 1 << (slot + (criterion.bands.index(band) if band else 0))
        elif status == NO_DATA:
            no_data_mask |= 1 << slot
    return ScoreResult(**_summary(rubric, outcomes), matched_mask=matched_mask, no_data_mask=no_data_mask)


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


def explain_score(rubric: Rubric, matched_mask: int, no_data_mask: int = 0) -> Explanation:
    """A stored score explained whole from its masks: outcomes, subtotals before and after the caps, total,
    gates and status (a must-have matched iff one of its bits is in ``matched_mask``, needs data iff its
    no-data bit is set)."""
    return Explanation(**_summary(rubric, explain(rubric, matched_mask, no_data_mask)))


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
