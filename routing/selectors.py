"""Reads of routing: the rules and reps as the chooser (choosing.py) sees them, logs, and a rule's preview."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from customers.models import Customer
from rubrics.models import QualificationChange, Score, VersionStatus
from teams.models import Role, User

from . import choosing
from .models import AssignmentLog, AssignmentRule, AssignmentWhy, RepAway

ROUTED = (AssignmentWhy.ASSIGNED, AssignmentWhy.REASSIGNED)


def week_start(now: datetime.datetime) -> datetime.datetime:
    """Monday 00:00 of ``now``'s ISO week, in the site's time zone."""
    local = timezone.localtime(now)
    monday = local.date() - datetime.timedelta(days=local.weekday())
    return timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min), local.tzinfo)


def rule_specs(rules: list[AssignmentRule]) -> list[choosing.Rule]:
    members: dict[int, list[int]] = {rule.pk: [] for rule in rules}
    for rule_id, user_id in AssignmentRule.reps.through.objects.filter(assignmentrule_id__in=members).values_list(
        "assignmentrule_id", "user_id"
    ):
        members[rule_id].append(user_id)
    return [
        choosing.Rule(
            id=rule.pk,
            rep_ids=tuple(sorted(members[rule.pk])),
            country=rule.country,
            region=rule.region,
            industry=rule.industry,
            min_employees=rule.min_employees,
            max_employees=rule.max_employees,
            weekly_cap=rule.weekly_cap,
            last_rep_id=rule.last_rep_id,
        )
        for rule in rules
    ]


def reps_state(rep_ids: set[int], now: datetime.datetime) -> choosing.Reps:
    """Who of ``rep_ids`` cannot take leads now (inactive, not a rep any more, away) and their counts this week."""
    today = timezone.localdate(now)
    able = set(User.objects.filter(pk__in=rep_ids, is_active=True, role=Role.SALES_REP).values_list("pk", flat=True))
    away = set(
        RepAway.objects.filter(Q(until__isnull=True) | Q(until__gte=today), user_id__in=rep_ids).values_list(
            "user_id", flat=True
        )
    )
    counts = (
        AssignmentLog.objects.filter(to_user_id__in=rep_ids, why__in=ROUTED, at__gte=week_start(now))
        .values("to_user_id")
        .annotate(leads=Count("id"))
        .values_list("to_user_id", "leads")
    )
    return choosing.Reps(unavailable=(rep_ids - able) | away, assigned_this_week=dict(counts))


def lead_spec(customer: Customer) -> choosing.Lead:
    return choosing.Lead(
        country=customer.country, region=customer.region, industry=customer.industry, employees=customer.employees
    )


def is_away(user: User, now: datetime.datetime | None = None) -> RepAway | None:
    today = timezone.localdate(now or timezone.now())
    return RepAway.objects.filter(Q(until__isnull=True) | Q(until__gte=today), user=user).first()


def lead_assignments(customer_id: int) -> list[AssignmentLog]:
    return list(
        AssignmentLog.objects.filter(customer_id=customer_id).select_related("from_user", "to_user", "rule")[:50]
    )


def recent_assignments(limit: int = 50) -> list[AssignmentLog]:
    return list(AssignmentLog.objects.select_related("customer", "from_user", "to_user", "rule")[:limit])


def todays_unowned_leads(now: datetime.datetime) -> list[choosing.Lead]:
    """Customers that entered qualification today and still qualify by a published rubric, without an owner."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    entered_today = QualificationChange.objects.filter(customer=OuterRef("pk"), qualified=True, changed_at__gte=today)
    qualified = Score.objects.filter(customer=OuterRef("pk"), qualified=True, version__status=VersionStatus.PUBLISHED)
    customers = Customer.objects.filter(Exists(entered_today), Exists(qualified), owner__isnull=True).order_by("pk")
    return [
        choosing.Lead(country=c[0], region=c[1], industry=c[2], employees=c[3])
        for c in customers.values_list("country", "region", "industry", "employees")
    ]


def rule_preview(rule: AssignmentRule, now: datetime.datetime | None = None) -> list[tuple[User, int]]:
    """How many of today's qualified, unowned leads each of the rule's reps would get if they were routed now
    (the rules before it take their share first); nothing is written."""
    now = now or timezone.now()
    rules = list(AssignmentRule.objects.filter(is_active=True).order_by("position", "id"))
    specs = rule_specs(rules if rule.is_active else [*rules, rule])
    reps = reps_state({rep for spec in specs for rep in spec.rep_ids}, now)
    shares = choosing.leads_share(specs, todays_unowned_leads(now), reps)
    return [(rep, shares.get(rep.pk, 0)) for rep in rule.reps.order_by("pk")]
