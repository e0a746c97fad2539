"""Reads of feedback: surveys with their counts, and pages of answers, referrals and advocacy.

Pages read one row more than they show (that row says whether a next page exists): no COUNT(*).
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from .models import Advocacy, FeedbackChange, Referral, Response, Survey

PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(queryset: QuerySet, number: int, per_page: int = PER_PAGE) -> Page:
    number = max(1, number)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return Page(items=rows[:per_page], number=number, has_next=len(rows) > per_page)


def survey_list() -> QuerySet[Survey]:
    return Survey.objects.select_related("created_by").annotate(
        invited=Count("invitations", distinct=True), answered=Count("responses", distinct=True)
    )


@dataclass(frozen=True)
class SurveyCounts:
    invited: int
    emailed: int
    without_email: int
    answered: int
    promoters: int
    detractors: int

    @property
    def nps(self) -> int | None:
        """Promoters minus detractors, in percent of the answers."""
        if not self.answered:
            return None
        return round(100 * (self.promoters - self.detractors) / self.answered)


def survey_counts(survey: Survey) -> SurveyCounts:
    invitations = survey.invitations.aggregate(
        invited=Count("pk"),
        emailed=Count("pk", filter=Q(sent_at__isnull=False)),
        without_email=Count("pk", filter=Q(email="")),
    )
    answers = survey.responses.aggregate(
        answered=Count("pk"),
        promoters=Count("pk", filter=Q(score__gte=9)),
        detractors=Count("pk", filter=Q(score__lte=6)),
    )
    return SurveyCounts(**invitations, **answers)


def response_list(*, survey: Survey | None = None, category: str = "") -> QuerySet[Response]:
    responses = Response.objects.select_related("customer", "survey")
    if survey is not None:
        responses = responses.filter(survey=survey)
    if category == "promoter":
        responses = responses.filter(score__gte=9)
    elif category == "passive":
        responses = responses.filter(score__in=[7, 8])
    elif category == "detractor":
        responses = responses.filter(score__lte=6)
    return responses.order_by("-answered_at", "-id")


def referral_list() -> QuerySet[Referral]:
    return Referral.objects.select_related("referrer", "referred_customer", "created_by").order_by(
        "-referred_on", "-id"
    )


def advocacy_list() -> QuerySet[Advocacy]:
    return Advocacy.objects.select_related("customer", "created_by").order_by("-happened_on", "-id")


def feedback_changes(*, entity: str, limit: int = 20) -> list[FeedbackChange]:
    """The latest records and changes of referrals or advocacy (``entity``), for the audit list."""
    return list(FeedbackChange.objects.filter(entity=entity).select_related("customer", "changed_by")[:limit])
