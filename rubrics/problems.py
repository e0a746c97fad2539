"""What is wrong with a rubric or one of its criteria, in plain words, by form field where there is one.

Pure Python like the engine it checks (``rubrics/scoring.py``): the editor shows
these before publishing, and a version with any of them is not published.
"""

from dataclasses import dataclass, field

from .scoring import (
    CATEGORY_OPERATORS,
    GATE_LABELS,
    GATES,
    GROUPS,
    MAX_SLOTS,
    NUMBER_OPERATORS,
    OPERATOR_LABELS,
    OPERATORS_BY_KIND,
    TEXT_OPERATORS,
    Criterion,
    Rubric,
    is_number,
    reads_floats,
)


@dataclass
class Problems:
    """Plain-words problems of a rubric: for the rubric as a whole, and per criterion id and field.

    ``settings`` files each of the rubric's own problems under the setting it is about as well ("threshold",
    "max_points", "grades", "caps", "criteria" for their number), for whoever shows them beside it.
    """

    rubric: list[str] = field(default_factory=list)
    criteria: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    settings: dict[str, list[str]] = field(default_factory=dict)

    def add(self, criterion: Criterion, field_name: str, message: str) -> None:
        self.criteria.setdefault(criterion.id, {}).setdefault(field_name, []).append(message)

    def add_setting(self, setting: str, message: str) -> None:
        self.rubric.append(message)
        self.settings.setdefault(setting, []).append(message)

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
        problems.add_setting("max_points", "The lowest points allowed are above the highest.")
    for criterion in rubric.criteria:
        _check_criterion(problems, criterion, rubric.min_points, rubric.max_points)
    if rubric.slot_count > MAX_SLOTS:
        problems.add_setting(
            "criteria", f"A rubric holds at most {MAX_SLOTS} criteria and bands; this one has {rubric.slot_count}."
        )
    caps = cap_problems(rubric.caps)
    for messages in caps.values():
        for message in messages:
            problems.add_setting("caps", message)
    if not problems.criteria and not caps and rubric.threshold > rubric.highest_total:
        problems.add_setting(
            "threshold",
            f"No customer could ever reach the threshold of {rubric.threshold}: "
            f"the most any customer can score is {rubric.highest_total}.",
        )
    labels = [grade.label for grade in rubric.grades]
    if len(set(labels)) != len(labels):
        problems.add_setting("grades", "Two grades have the same label.")
    return problems


def cap_problems(caps: tuple[tuple[str, int], ...]) -> dict[str, list[str]]:
    """What is wrong with the caps, by group, in plain words."""
    problems: dict[str, list[str]] = {}
    seen = set()
    for group, cap in caps:
        if group not in GROUPS:
            problems.setdefault(group, []).append(f"“{group}” is not a group: caps are for {', '.join(GROUPS)}.")
        elif group in seen:
            problems.setdefault(group, []).append(f"The {group} group has two caps.")
        elif not isinstance(cap, int) or isinstance(cap, bool) or cap < 0:
            problems.setdefault(group, []).append(
                f"The {group} cap must be a whole number of points, 0 or more (not {cap})."
            )
        seen.add(group)
    return problems


def _check_criterion(problems: Problems, criterion: Criterion, min_points: int, max_points: int) -> None:
    if criterion.gate not in GATES:
        problems.add(
            criterion, "gate", f"A criterion counts as {', '.join(GATE_LABELS.values())}; not “{criterion.gate}”."
        )
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
        if len(values) != wanted or not all(is_number(number) for number in values):
            problems.add(criterion, "values", f"Give {'two numbers' if wanted == 2 else 'one number'}.")
        elif not reads_floats(criterion) and not all(isinstance(number, int) for number in values):
            problems.add(criterion, "values", "This field holds whole numbers: give whole numbers.")
        elif operator == "between" and values[0] > values[1]:
            problems.add(criterion, "values", "The first number of “between” must not be above the second.")
    elif values:
        problems.add(criterion, "values", "This operator takes no values.")
    if criterion.decay is not None:
        _check_decay(problems, criterion)
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
        if not reads_floats(criterion) and not all(
            bound is None or isinstance(bound, int) and not isinstance(bound, bool) for bound in (band.min, band.max)
        ):
            problems.add(criterion, "bands", f"Band {number}: this field holds whole numbers.")
        if not min_points <= band.points <= max_points:
            problems.add(criterion, "bands", f"Band {number}: points must be between {min_points} and {max_points}.")


def _check_decay(problems: Problems, criterion: Criterion) -> None:
    decay = criterion.decay
    if criterion.kind != "number" or criterion.operator not in NUMBER_OPERATORS:
        problems.add(
            criterion,
            "decay",
            "Events are read by a number field's criterion (the imported column used without events), "
            "with “is at least”, “is at most”, “is between” or bands.",
        )
    if not decay.event_type:
        problems.add(criterion, "decay", "Choose the event type the criterion reads.")
    if not is_number(decay.points) or decay.points < 0:
        problems.add(criterion, "decay", "Points per event must be a number, 0 or more.")
    if not is_number(decay.half_life) or not 0 < decay.half_life <= 3650:
        problems.add(criterion, "decay", "The half-life is a number of days above 0, at most 3,650.")
    if decay.cap_per_day is not None and (
        not isinstance(decay.cap_per_day, int) or isinstance(decay.cap_per_day, bool) or decay.cap_per_day < 1
    ):
        problems.add(criterion, "decay", "The cap per day is a whole number of events, 1 or more.")
    if decay.cap_total is not None and (not is_number(decay.cap_total) or not 0 <= decay.cap_total <= 1_000_000):
        problems.add(criterion, "decay", "The cap in all is a number from 0 to 1,000,000.")
