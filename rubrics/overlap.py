"""When two criteria are the same rule, and when they score some customers twice.

Pure, like the scoring engine. A workshop's weight either changes a criterion the rubric has or adds a new
one; a new one that overlaps an existing criterion on the same field would give the same customers points
twice ("Industry fit: Software +3" beside "Industry match: Software, SaaS +3" gives Software +6).

- Two rules are the same when they read the same field with the same operator and the same values, in any
  order and case (text is compared as the engine compares it: ASCII letters folded).
- Two rules overlap when some value of the field satisfies both: lists of values that share one, number
  ranges that meet, the same yes / no. "Is not one of" overlaps anything but a list it wholly excludes.
  Text "contains" overlaps a rule whose values contain, or are contained in, one of its own.
"""

from . import scoring

INFINITY = float("inf")


def _folded(values) -> frozenset:
    return frozenset(scoring.fold(value) if isinstance(value, str) else value for value in values)


def rule_key(criterion: scoring.Criterion) -> tuple:
    """What makes two criteria the same rule (points, label, group and gate aside)."""
    bands = tuple((band.min, band.max) for band in criterion.bands)
    return (criterion.field, criterion.operator, _folded(criterion.values), bands)


def same_rule(first: scoring.Criterion, second: scoring.Criterion) -> bool:
    return rule_key(first) == rule_key(second)


def _ranges(criterion: scoring.Criterion) -> list[tuple[float, float]]:
    """The number ranges (inclusive) a number rule holds for."""
    values = criterion.values
    if criterion.operator == "gte":
        return [(values[0], INFINITY)]
    if criterion.operator == "lte":
        return [(-INFINITY, values[0])]
    if criterion.operator == "between":
        return [(values[0], values[1])]
    return [
        (-INFINITY if band.min is None else band.min, INFINITY if band.max is None else band.max)
        for band in criterion.bands
    ]


def _texts_overlap(first: scoring.Criterion, second: scoring.Criterion) -> bool:
    listed = {"in": set(), "not_in": set()}
    a, b = _folded(first.values), _folded(second.values)
    operators = {first.operator, second.operator}
    if "contains_any" in operators:
        return any(x in y or y in x for x in a for y in b)
    if operators == {"in"}:
        return bool(a & b)
    if operators == {"not_in"}:
        return True
    listed[first.operator], listed[second.operator] = a, b
    return not listed["in"] <= listed["not_in"]


def rules_overlap(first: scoring.Criterion, second: scoring.Criterion) -> bool:
    """Whether some customer could be matched by both rules (see the module)."""
    if first.field != second.field:
        return False
    if same_rule(first, second):
        return True
    operators = {first.operator, second.operator}
    if "empty" in operators:
        return operators == {"empty"}
    if operators <= set(scoring.BOOLEAN_OPERATORS):
        return first.operator == second.operator
    if operators <= set(scoring.NUMBER_OPERATORS):
        return any(
            low <= other_high and other_low <= high
            for low, high in _ranges(first)
            for other_low, other_high in _ranges(second)
        )
    if operators <= {*scoring.CATEGORY_OPERATORS, *scoring.TEXT_OPERATORS}:
        return _texts_overlap(first, second)
    return True  # rules of different kinds on one field (an extra attribute read two ways): assume they may


def overlapping(criterion: scoring.Criterion, others) -> list[scoring.Criterion]:
    """The criteria among ``others`` that overlap ``criterion``."""
    return [other for other in others if rules_overlap(criterion, other)]
