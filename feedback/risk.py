"""Churn risk among ICP accounts: the at-risk list and its weekly digest.

An account is at risk for a rubric when it is a current customer (lifecycle
stage "customer") that the rubric's published version qualifies, and at least
one of these holds:

- a detractor: its latest NPS is 6 or less;
- negative sentiment: its average comment sentiment is below FEEDBACK_RISK_SENTIMENT_BELOW (-5);
- low usage: it was active on FEEDBACK_RISK_ACTIVE_DAYS_AT_MOST (5) days or fewer of the last 30.

A value the customer has no data for never makes it at risk. Accounts come best
fit first (the rubric's total), read along the lead list's index; pages read one
row more than they show instead of counting.

The weekly digest goes to the Customer Success team once per ISO week: the
RiskDigest row (unique per person and week) is inserted in the same
transaction as the email is sent, as the leads' daily digest does (services/risk_digest.py).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from customers.models import Customer, LifecycleStage
from rubrics.models import Rubric, RubricVersion, Score, VersionStatus
from teams.models import Role, Team, User

DETRACTOR_AT_MOST = 6
PER_PAGE = 50
LISTED_PER_RUBRIC = 25


@dataclass(frozen=True)
class RiskThresholds:
    sentiment_below: int
    active_days_at_most: int
    nps_at_most: int = DETRACTOR_AT_MOST


def risk_thresholds() -> RiskThresholds:
    return RiskThresholds(
        sentiment_below=settings.FEEDBACK_RISK_SENTIMENT_BELOW,
        active_days_at_most=settings.FEEDBACK_RISK_ACTIVE_DAYS_AT_MOST,
    )


def risk_reasons(customer: Customer, thresholds: RiskThresholds) -> list[str]:
    """Why an account is at risk, in plain words (empty: it is not)."""
    reasons = []
    if customer.nps is not None and customer.nps <= thresholds.nps_at_most:
        reasons.append(f"Detractor (NPS {customer.nps})")
    if customer.sentiment is not None and customer.sentiment < thresholds.sentiment_below:
        reasons.append(f"Negative sentiment ({customer.sentiment})")
    if customer.active_days_30d is not None and customer.active_days_30d <= thresholds.active_days_at_most:
        reasons.append(f"Low usage ({customer.active_days_30d} active days in 30)")
    return reasons


def _at_risk(thresholds: RiskThresholds) -> Q:
    return (
        Q(customer__nps__lte=thresholds.nps_at_most)
        | Q(customer__sentiment__lt=thresholds.sentiment_below)
        | Q(customer__active_days_30d__lte=thresholds.active_days_at_most)
    )


def risk_rubrics() -> QuerySet[Rubric]:
    """Rubrics with a published version: the ones that say which accounts fit the ICP."""
    published = RubricVersion.objects.filter(rubric=OuterRef("pk"), status=VersionStatus.PUBLISHED)
    return Rubric.objects.filter(Exists(published)).select_related("profile").order_by("profile__name", "name")


def at_risk_scores(*, rubric: Rubric, user: User | None, thresholds: RiskThresholds) -> QuerySet[Score]:
    """The rubric's qualified current customers at risk, best fit first; a sales rep's own accounts only."""
    scores = Score.objects.filter(
        rubric=rubric, qualified=True, customer__lifecycle_stage=LifecycleStage.CUSTOMER
    ).filter(_at_risk(thresholds))
    if user is not None and user.role == Role.SALES_REP:
        scores = scores.filter(customer__owner=user)
    return scores.select_related("customer__owner").order_by("-total", "customer_id")


@dataclass(frozen=True)
class RiskRow:
    score: Score
    reasons: list[str]

    @property
    def customer(self) -> Customer:
        return self.score.customer


@dataclass(frozen=True)
class RiskPage:
    rows: list[RiskRow]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def at_risk_page(
    scores: QuerySet[Score], *, number: int, thresholds: RiskThresholds, per_page: int = PER_PAGE
) -> RiskPage:
    """One page of at-risk accounts with their reasons, read with one row more to know whether a next page exists."""
    number = max(1, number)
    offset = (number - 1) * per_page
    found = list(scores[offset : offset + per_page + 1])
    rows = [RiskRow(score, risk_reasons(score.customer, thresholds)) for score in found[:per_page]]
    return RiskPage(rows=rows, number=number, has_next=len(found) > per_page)


# --- The weekly digest ------------------------------------------------------------------------------


def digest_week(now: datetime.datetime) -> datetime.date:
    """The Monday (UTC) of the week ``now`` falls in: every run in one week computes the same."""
    day = now.astimezone(datetime.UTC).date()
    return day - datetime.timedelta(days=day.weekday())


def digest_recipients() -> QuerySet[User]:
    """Active people of the Customer Success team with an email address."""
    return User.objects.filter(team__slug=Team.CUSTOMER_SUCCESS, is_active=True).exclude(email="").order_by("pk")


@dataclass(frozen=True)
class DigestSection:
    rubric: Rubric
    rows: list[RiskRow]
    count: int
    list_url: str

    @property
    def more_count(self) -> int:
        return self.count - len(self.rows)


def digest_sections(*, user: User) -> list[DigestSection]:
    thresholds = risk_thresholds()
    sections = []
    for rubric in risk_rubrics():
        scores = at_risk_scores(rubric=rubric, user=user, thresholds=thresholds)
        count = scores.count()
        if not count:
            continue
        rows = [RiskRow(score, risk_reasons(score.customer, thresholds)) for score in scores[:LISTED_PER_RUBRIC]]
        url = f"{settings.SITE_URL}{reverse('feedback:at_risk')}?rubric={rubric.pk}"
        sections.append(DigestSection(rubric=rubric, rows=rows, count=count, list_url=url))
    return sections
