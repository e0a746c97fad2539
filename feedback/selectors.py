"""Reads of feedback: surveys with their counts, and pages of answers, referrals and advocacy.

Pages read one row more than they show (that row says whether a next page exists): no COUNT(*).
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from customers.models import Customer
from customers.selectors import CustomerFilters, customer_list
from rubrics.models import Rubric, RubricVersion, Score, VersionStatus

from .models import Advocacy, FeedbackChange, Referral, Response, Survey, SurveyInvitation

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


def survey_invitees(*, survey: Survey, filters: CustomerFilters, rubric: Rubric | None) -> QuerySet[Customer]:
    """Whom a send with these choices invites: the customers the filters (and the ICP, if chosen) keep, less those
    already invited. The send page counts it before "Invite", and the same query is what the send invites."""
    customers = customer_list(filters=filters)
    if rubric:
        customers = customers.filter(scores__rubric=rubric, scores__qualified=True)
    return customers.exclude(pk__in=SurveyInvitation.objects.filter(survey=survey).values("customer_id"))


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


# The inbox's orders: by when, by how well the customer fits the ICP, by what the customer is worth.
INBOX_SORTS = {"newest": "Newest first", "fit": "Best fit first", "value": "Highest value first"}


def fit_rubric() -> Rubric | None:
    """The rubric whose scores say how well a customer fits: the first one with a published version."""
    published = RubricVersion.objects.filter(rubric=OuterRef("pk"), status=VersionStatus.PUBLISHED)
    return Rubric.objects.filter(Exists(published)).order_by("profile__name", "name", "pk").first()


def response_list(
    *, survey: Survey | None = None, category: str = "", sort: str = "newest", rubric: Rubric | None = None
) -> QuerySet[Response]:
    """Answers, newest first, or those of the best-fitting customers (qualified first, then by the
    rubric's score) or the most valuable (CLV) first, so what high-value customers say comes first.
    With a rubric, each answer carries its customer's ``fit_total`` and ``fit_qualified``."""
    responses = Response.objects.select_related("customer", "survey")
    if rubric is not None:
        fit = Score.objects.filter(customer=OuterRef("customer_id"), rubric=rubric)
        responses = responses.annotate(
            fit_total=Subquery(fit.values("total")[:1]), fit_qualified=Subquery(fit.values("qualified")[:1])
        )
    if survey is not None:
        responses = responses.filter(survey=survey)
    if category == "promoter":
        responses = responses.filter(score__gte=9)
    elif category == "passive":
        responses = responses.filter(score__in=[7, 8])
    elif category == "detractor":
        responses = responses.filter(score__lte=6)
    newest = ("-answered_at", "-id")
    if sort == "fit" and rubric is not None:
        return responses.order_by(
            F("fit_qualified").desc(nulls_last=True), F("fit_total").desc(nulls_last=True), *newest
        )
    if sort == "value":
        return responses.order_by(F("customer__clv").desc(nulls_last=True), *newest)
    return responses.order_by(*newest)


def referral_list() -> QuerySet[Referral]:
    return Referral.objects.select_related("referrer", "referred_customer", "created_by").order_by(
        "-referred_on", "-id"
    )


def advocacy_list() -> QuerySet[Advocacy]:
    return Advocacy.objects.select_related("customer", "created_by").order_by("-happened_on", "-id")


def feedback_changes(*, entity: str, limit: int = 20) -> list[FeedbackChange]:
    """The latest records and changes of referrals or advocacy (``entity``), for the audit list."""
    return list(FeedbackChange.objects.filter(entity=entity).select_related("customer", "changed_by")[:limit])
