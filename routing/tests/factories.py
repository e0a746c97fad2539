"""Rules, reps and qualified leads for routing tests."""

from customers.tests.factories import CustomerFactory
from leads.tests.factories import customers_score, published_rubric
from routing.models import AssignmentRule
from teams.models import Role, Team
from teams.tests.factories import TeamFactory, UserFactory


def rep(username: str, **fields):
    team = Team.objects.filter(slug=Team.SALES).first() or TeamFactory(slug=Team.SALES)
    return UserFactory(username=username, role=Role.SALES_REP, team=team, **fields)


def rule(name: str, reps, *, position: int = 0, **fields) -> AssignmentRule:
    made = AssignmentRule.objects.create(name=name, position=position, **fields)
    made.reps.set(reps)
    return made


def prospects(count: int, **fields) -> list:
    """Unowned Software prospects (they qualify by ``published_rubric()`` once scored)."""
    return CustomerFactory.create_batch(count, **{"owner": None, "lifecycle_stage": "prospect", **fields})


def qualify(version, *customers) -> None:
    """Score the customers by the published version: they enter qualification (QualificationChange rows)."""
    customers_score(version, *customers)


__all__ = ["published_rubric", "prospects", "qualify", "rep", "rule"]
