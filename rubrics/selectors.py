"""Reads about rubrics."""

from . import scoring
from .fields import field_kind
from .models import Criterion, RubricVersion


def criterion_spec(criterion: Criterion) -> scoring.Criterion:
    return scoring.Criterion(
        id=criterion.pk,
        field=criterion.field,
        kind=field_kind(criterion.field) or "unknown",
        operator=criterion.operator,
        points=criterion.points,
        values=tuple(criterion.values or ()),
        bands=tuple(
            scoring.Band(points=band["points"], min=band.get("min"), max=band.get("max"), label=band.get("label", ""))
            for band in criterion.bands or ()
        ),
        group=criterion.group,
        label=criterion.label,
    )


def version_spec(version: RubricVersion) -> scoring.Rubric:
    """The version as the scoring engine takes it (criteria in their order)."""
    return scoring.Rubric(
        criteria=tuple(criterion_spec(criterion) for criterion in version.criteria.order_by("position", "id")),
        threshold=version.threshold,
        grades=tuple(scoring.Grade(label=grade["label"], min=grade["min"]) for grade in version.grades or ()),
        min_points=version.min_points,
        max_points=version.max_points,
    )


def customer_attributes(customer) -> dict:
    """A customer's values by field name, as the engine reads them."""
    return {field.name: getattr(customer, field.attname) for field in customer._meta.concrete_fields}
