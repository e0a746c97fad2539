"""Reads about leads: the qualified customers of a rubric, as a rep or an admin may see them."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from customers.models import Customer
from rubrics import scoring
from rubrics.models import Rubric, RubricVersion, Score, VersionStatus
from rubrics.selectors import version_spec
from teams.models import Role, User

from .models import DispositionStatus, LeadDisposition, LeadDispositionChange

OPEN = "open"  # every lead but the disqualified ones
NONE = "none"  # leads nobody has dispositioned yet


@dataclass(frozen=True)
class LeadFilters:
    q: str = ""
    industry: str = ""
    country: str = ""
    stage: str = ""
    disposition: str = OPEN
    min_score: int | None = None
    max_score: int | None = None


def lead_rubrics() -> QuerySet[Rubric]:
    """Rubrics that have a published version, i.e. that score leads."""
    published = RubricVersion.objects.filter(rubric=OuterRef("pk"), status=VersionStatus.PUBLISHED)
    return Rubric.objects.filter(Exists(published)).select_related("profile").order_by("profile__name", "name")


def _visible(user: User) -> Q:
    if user.role == Role.ADMIN:
        return Q()
    if user.role == Role.SALES_REP:
        return Q(customer__owner=user)
    return Q(pk__in=[])


def lead_list(*, user: User, rubric: Rubric, filters: LeadFilters) -> QuerySet[Score]:
    """The rubric's qualified customers the user may see, best first, with their disposition."""
    dispositions = LeadDisposition.objects.filter(customer=OuterRef("customer_id"), rubric=rubric)
    leads = (
        Score.objects.filter(_visible(user), rubric=rubric, qualified=True)
        .select_related("customer", "customer__owner", "version")
        .annotate(disposition=Subquery(dispositions.values("status")[:1]))
        .order_by("-total", "customer_id")
    )
    if filters.q:
        leads = leads.filter(Q(customer__name__icontains=filters.q) | Q(customer__domain__icontains=filters.q))
    for name in ("industry", "country"):
        if getattr(filters, name):
            leads = leads.filter(**{f"customer__{name}": getattr(filters, name)})
    if filters.stage:
        leads = leads.filter(customer__lifecycle_stage=filters.stage)
    if filters.min_score is not None:
        leads = leads.filter(total__gte=filters.min_score)
    if filters.max_score is not None:
        leads = leads.filter(total__lte=filters.max_score)
    if filters.disposition == OPEN:
        leads = leads.exclude(Exists(dispositions.filter(status=DispositionStatus.DISQUALIFIED)))
    elif filters.disposition == NONE:
        leads = leads.exclude(Exists(dispositions))
    elif filters.disposition in DispositionStatus.values:
        leads = leads.filter(Exists(dispositions.filter(status=filters.disposition)))
    return leads


def lead_get(*, user: User, rubric: Rubric, customer_id: int) -> Score:
    """One lead the user may see (qualified or not any more), or 404: no guessing at other reps' leads."""
    score = (
        Score.objects.filter(_visible(user), rubric=rubric, customer_id=customer_id)
        .select_related("customer", "customer__owner", "version", "rubric__profile")
        .first()
    )
    if score is None:
        raise Http404("No such lead of yours.")
    return score


def lead_disposition_history(*, customer: Customer, rubric: Rubric) -> QuerySet[LeadDispositionChange]:
    return LeadDispositionChange.objects.filter(customer=customer, rubric=rubric).select_related("reason", "changed_by")


@dataclass(frozen=True)
class DisqualificationReport:
    by_reason: list[tuple[str, int]]
    by_criterion: list[tuple[str, int]]
    total: int


def disqualification_report(*, rubric: Rubric) -> DisqualificationReport:
    """Disqualified leads counted per reason, and per criterion they had matched when turned down.

    The criteria come from the score stored with each disqualification, decoded
    by the version that produced it: where the rubric lets the wrong accounts in.
    """
    current = LeadDisposition.objects.filter(rubric=rubric, status=DispositionStatus.DISQUALIFIED)
    by_reason = Counter(current.values_list("reason__label", flat=True))
    latest = {}
    changes = LeadDispositionChange.objects.filter(
        rubric=rubric, status=DispositionStatus.DISQUALIFIED, customer_id__in=current.values("customer_id")
    ).order_by("customer_id", "-changed_at", "-id")
    for change in changes.select_related("version"):
        latest.setdefault(change.customer_id, change)
    by_criterion: Counter = Counter()
    specs: dict[int, scoring.Rubric] = {}
    for change in latest.values():
        if change.version is None or change.matched is None:
            continue
        spec = specs.setdefault(change.version_id, version_spec(change.version))
        for outcome in scoring.explain(spec, change.matched):
            if outcome.status == scoring.MATCHED:
                by_criterion[outcome.criterion.label or outcome.criterion.field] += 1
    return DisqualificationReport(
        by_reason=by_reason.most_common(), by_criterion=by_criterion.most_common(), total=current.count()
    )
