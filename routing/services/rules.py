"""Writes of the assignment rules, and of reps marked away."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from teams.models import Role, User

from ..models import AssignmentRule, RepAway

RULE_FIELDS = (
    "name",
    "position",
    "country",
    "region",
    "industry",
    "min_employees",
    "max_employees",
    "weekly_cap",
    "sla_hours",
    "is_active",
)


def _validate(values: dict, reps: list[User]) -> None:
    errors = {}
    low, high = values.get("min_employees"), values.get("max_employees")
    if low is not None and high is not None and low > high:
        errors["max_employees"] = "The largest size must be at least the smallest."
    if not reps:
        errors["reps"] = "Choose at least one rep."
    elif any(rep.role != Role.SALES_REP for rep in reps):
        errors["reps"] = "Only sales reps take leads."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rule_save(*, rule: AssignmentRule | None, values: dict, reps: list[User], user: User) -> AssignmentRule:
    """Create (``rule`` None) or change a rule with its reps; the round-robin pointer stays where it was."""
    if user.role != Role.ADMIN:
        raise PermissionDenied("Only admins change assignment rules.")
    _validate(values, reps)
    rule = AssignmentRule() if rule is None else AssignmentRule.objects.select_for_update().get(pk=rule.pk)
    for name in RULE_FIELDS:
        if name in values:
            setattr(rule, name, values[name])
    rule.full_clean(exclude=["last_rep"])
    rule.save()
    rule.reps.set(reps)
    return rule


@transaction.atomic
def rule_delete(*, rule: AssignmentRule, user: User) -> None:
    if user.role != Role.ADMIN:
        raise PermissionDenied("Only admins change assignment rules.")
    AssignmentRule.objects.filter(pk=rule.pk).delete()


def away_may_set(*, user: User, rep: User) -> bool:
    return user.role == Role.ADMIN or (user.role == Role.SALES_REP and user.pk == rep.pk)


@transaction.atomic
def rep_away_set(*, rep: User, until: datetime.date | None, user: User, today: datetime.date | None = None) -> RepAway:
    """Mark a rep away (until a date, included, or until further notice): rules skip them meanwhile."""
    if not away_may_set(user=user, rep=rep):
        raise PermissionDenied("You may mark only yourself away.")
    if rep.role != Role.SALES_REP:
        raise ValidationError({"rep": "Only sales reps take leads."})
    today = today or timezone.localdate()
    if until is not None and until < today:
        raise ValidationError({"until": "The date is in the past: choose today or later, or leave it blank."})
    away, _ = RepAway.objects.update_or_create(
        user=rep, defaults={"until": until, "set_by": user, "set_at": timezone.now()}
    )
    return away


@transaction.atomic
def rep_away_clear(*, rep: User, user: User) -> None:
    if not away_may_set(user=user, rep=rep):
        raise PermissionDenied("You may mark only yourself back.")
    RepAway.objects.filter(user=rep).delete()
