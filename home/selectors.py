"""Reads for the home pages."""

from django.db.models import Count, Q

from customers.models import Customer, LifecycleStage
from teams.models import Role, Team, User


def people_by_team() -> list[dict]:
    teams = Team.objects.annotate(
        active_people=Count("people", filter=Q(people__is_active=True)),
    ).order_by("name")
    return [{"team": team, "count": team.active_people} for team in teams]


def people_by_role() -> list[dict]:
    counts = dict(
        User.objects.filter(is_active=True).values_list("role").annotate(n=Count("id")).values_list("role", "n")
    )
    return [{"role": label, "count": counts.get(value, 0)} for value, label in Role.choices]


def customers_by_stage(*, owner: User | None = None) -> list[dict]:
    customers = Customer.objects.all()
    if owner is not None:
        customers = customers.filter(owner=owner)
    counts = dict(customers.values_list("lifecycle_stage").annotate(n=Count("id")).values_list("lifecycle_stage", "n"))
    return [{"stage": label, "count": counts.get(value, 0)} for value, label in LifecycleStage.choices]


def top_accounts(*, owner: User, limit: int = 10):
    """A rep's most valuable customers first, then their largest prospects."""
    return (
        Customer.objects.filter(owner=owner)
        .exclude(lifecycle_stage=LifecycleStage.CHURNED)
        .order_by("-clv", "-annual_revenue", "pk")
        .only("name", "domain", "industry", "country", "lifecycle_stage", "clv", "annual_revenue")[:limit]
    )


def teammates(*, person: User):
    if person.team_id is None:
        return User.objects.none()
    return User.objects.filter(team_id=person.team_id, is_active=True).exclude(pk=person.pk)
