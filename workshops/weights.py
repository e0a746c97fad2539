"""A weight proposed in a workshop's scoring step: checked as the rubric editor checks a criterion, and set
against the rubric the workshop feeds (selectors.rubric_now): new points for one of its criteria, or a new
criterion that scores no customer twice."""

from django.core.exceptions import ValidationError

from rubrics import scoring
from rubrics.fields import field_kind
from rubrics.problems import criterion_problems

from .models import WEIGHT_MAX, WEIGHT_MIN
from .selectors import RubricNow


def weight_fields(*, field: str, operator: str, values: list, points: int | None, label: str) -> dict:
    """A criterion weight checked as the rubric editor checks a criterion, points from -3 to +3."""
    kind = field_kind(field or "")
    if kind is None:
        raise ValidationError({"field": "Choose the customer field the criterion reads."})
    if operator == "bands" or operator not in scoring.OPERATORS:
        raise ValidationError({"operator": "Choose how the criterion compares the field."})
    if points is None or not WEIGHT_MIN <= points <= WEIGHT_MAX:
        raise ValidationError({"points": f"Points from {WEIGHT_MIN} to +{WEIGHT_MAX}."})
    spec = scoring.Criterion(
        id=0, field=field, kind=kind, operator=operator, points=points, values=tuple(values), label=label
    )
    problems = criterion_problems(spec, WEIGHT_MIN, WEIGHT_MAX)
    if problems:
        raise ValidationError(problems)
    return {
        "criterion_field": field,
        "criterion_operator": operator,
        "criterion_values": list(values),
        "criterion_label": label.strip()[:200] or f"{field} {scoring.OPERATOR_LABELS[operator]}",
        "points": points,
    }


def existing_weight(now: RubricNow, criterion_id: int, points: int | None) -> dict:
    """New points for a criterion of the rubric's published version: its rule, as it is."""
    row = now.row_for(criterion_id)
    if row is None:
        raise ValidationError(
            {"criterion": "This criterion is not in the rubric as it scores today: reload the page to see it."}
        )
    if row.banded:
        raise ValidationError(
            {"criterion": f"“{row.criterion}” gives points band by band: change its bands in the rubric editor."}
        )
    fields = weight_fields(
        field=row.criterion.field,
        operator=row.criterion.operator,
        values=list(row.criterion.values),
        points=points,
        label=row.criterion.label or str(row.criterion),
    )
    return {**fields, "current_points": row.criterion.points}


def new_weight(now: RubricNow, *, field: str, operator: str, values: list, points: int | None, label: str) -> dict:
    """A new criterion's weight, unless the rubric has it already (then it changes that one's points) or has one
    that scores some of the same customers (refused: they would get points twice)."""
    fields = weight_fields(field=field, operator=operator, values=values, points=points, label=label)
    rule = scoring.Criterion(
        id=0,
        field=fields["criterion_field"],
        kind=field_kind(fields["criterion_field"]),
        operator=fields["criterion_operator"],
        values=tuple(fields["criterion_values"]),
    )
    same = now.same_as(rule)
    if same is not None:
        label = same.criterion.label or fields["criterion_label"]
        return {**fields, "criterion_label": label, "current_points": same.criterion.points}
    clash = now.clash_message(rule)
    if clash:
        raise ValidationError({"values": clash})
    return fields
