"""Writes of feedback: surveys, answers, their sentiment, and the customer fields they feed.

Every change that can move a customer's NPS, sentiment, referral count or
advocacy flags ends in ``customer_feedback_refresh``, the one place those
fields are written from feedback. It writes through ``customers.services.records.customer_update``,
so the change is in the customer's history and the customer is re-scored once it commits.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg
from django.utils import timezone

from customers.models import ChangeSource, Customer
from customers.services.records import customer_update
from ops.jobs import job_send
from teams.models import User

from ..models import (
    Advocacy,
    AdvocacyKind,
    Referral,
    Response,
    ResponseSource,
    Survey,
    SurveyInvitation,
)
from ..sentiment import comment_sentiment, sentiment_percent

COMMENT_MAX_LENGTH = 2000
SENTIMENT_TASK_SIZE = 500  # responses per sentiment task
SENTIMENT_CATCH_UP = 10 * SENTIMENT_TASK_SIZE  # responses sent again per periodic resend, at most
SENTIMENT_WAITING = "The comments' sentiment is computed when it is back."


# --- The customer's feedback fields ------------------------------------------------------------


def customer_feedback_values(customer_id: int) -> dict:
    """What the feedback app says about a customer's feedback fields; a field it has no data for is left out.

    - ``nps``: the score of the latest answer (by when it was first given);
    - ``sentiment``: the average compound score of the commented answers, x 100, rounded
      (None when the customer has answers but none with a comment);
    - ``referrals_made``: how many referrals the customer made, whatever their outcome;
    - ``has_case_study``, ``has_public_review``: True once one is recorded.

    A customer with no answers (or referrals, or advocacy) keeps what its CRM said.
    """
    values: dict = {}
    responses = Response.objects.filter(customer_id=customer_id)
    latest = responses.order_by("-answered_at", "-id").values_list("score", flat=True).first()
    if latest is not None:
        average = responses.filter(sentiment__isnull=False).aggregate(average=Avg("sentiment"))["average"]
        values["nps"] = latest
        values["sentiment"] = None if average is None else sentiment_percent(average)
    referrals = Referral.objects.filter(referrer_id=customer_id).count()
    if referrals:
        values["referrals_made"] = referrals
    kinds = set(Advocacy.objects.filter(customer_id=customer_id).values_list("kind", flat=True).distinct())
    if AdvocacyKind.CASE_STUDY in kinds:
        values["has_case_study"] = True
    if AdvocacyKind.PUBLIC_REVIEW in kinds:
        values["has_public_review"] = True
    return values


def customer_feedback_refresh(
    *, customer: Customer, user: User | None = None, source: str = ChangeSource.SYSTEM, source_ref: str = ""
) -> Customer:
    """Bring the customer's feedback fields in step with its answers, referrals and advocacy.

    Nothing is written (and nothing re-scored) when they already are.
    """
    values = customer_feedback_values(customer.pk)
    return customer_update(customer=customer, values=values, user=user, source=source, source_ref=source_ref)


# --- Surveys and answers -----------------------------------------------------------------------


def survey_create(*, name: str, question: str = "", user: User | None) -> Survey:
    question = question.strip() or Survey.DEFAULT_QUESTION
    survey = Survey(name=" ".join(name.split()), question=question, created_by=user)
    survey.full_clean()
    survey.save()
    return survey


class AnswerLocked(Exception):
    """The invitation was answered longer ago than the edit window: the answer can no longer change."""

    def __init__(self, response: Response):
        super().__init__(f"answered at {response.answered_at:%Y-%m-%d %H:%M}")
        self.response = response


def edit_window() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.FEEDBACK_EDIT_WINDOW_HOURS)


def answer_editable_until(response: Response) -> datetime.datetime:
    return response.answered_at + edit_window()


def _answer_check(score, comment: str) -> tuple[int, str]:
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise ValidationError({"score": "Choose a score from 0 to 10."})
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError({"comment": f"Keep the comment under {COMMENT_MAX_LENGTH} characters."})
    return score, comment


def response_submit(
    *, invitation: SurveyInvitation, score: int, comment: str, now: datetime.datetime | None = None
) -> Response:
    """Record the answer to an invitation: the first one, or a change within the edit window.

    1. lock the invitation, so two submissions of one link run one after the other;
    2. no answer yet: create it (a double submit that races past the lock meets the
       unique invitation and becomes a change of the answer just made);
    3. an answer older than the edit window: AnswerLocked, nothing changes;
    4. the same answer again (a double click) writes nothing;
    5. refresh the customer's fields (re-scored after commit); a new comment's sentiment
       is computed by a task after commit.
    """
    score, comment = _answer_check(score, comment)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _response_write(invitation, score, comment, now)
    except IntegrityError:
        with transaction.atomic():
            return _response_write(invitation, score, comment, now)


def _response_write(invitation: SurveyInvitation, score: int, comment: str, now: datetime.datetime) -> Response:
    invitation = SurveyInvitation.objects.select_for_update().select_related("customer").get(pk=invitation.pk)
    response = Response.objects.filter(invitation=invitation).first()
    if response is None:
        response = Response.objects.create(
            customer=invitation.customer,
            survey_id=invitation.survey_id,
            invitation=invitation,
            score=score,
            comment=comment,
            source=ResponseSource.WEB,
            answered_at=now,
        )
        comment_changed = bool(comment)
    else:
        if now > answer_editable_until(response):
            raise AnswerLocked(response)
        if (response.score, response.comment) == (score, comment):
            return response
        comment_changed = response.comment != comment
        response.score = score
        if comment_changed:
            response.comment, response.sentiment = comment, None
        response.save(update_fields=["score", "comment", "sentiment", "updated_at"])
    customer_feedback_refresh(customer=invitation.customer, source_ref=f"survey response {response.pk}")
    if comment_changed:
        responses_sentiment_later(response_ids=[response.pk])
    return response


# --- Sentiment -----------------------------------------------------------------------------------


def responses_sentiment_later(*, response_ids: Iterable[int]) -> None:
    """Once the transaction commits, compute these responses' sentiment in the worker."""
    ids = sorted(set(response_ids))
    for start in range(0, len(ids), SENTIMENT_TASK_SIZE):
        batch = ids[start : start + SENTIMENT_TASK_SIZE]
        job_send("feedback.tasks.responses_sentiment", batch, waiting=SENTIMENT_WAITING)


def responses_without_sentiment(*, waited: datetime.timedelta) -> list[int]:
    """Responses whose comment still has no sentiment ``waited`` after it was written (its task was never sent,
    Redis being down, or was lost), oldest first, at most SENTIMENT_CATCH_UP."""
    waiting = Response.objects.filter(
        sentiment__isnull=True, updated_at__lte=timezone.now() - waited, comment__regex=r"\S"
    ).exclude(comment="")
    return list(waiting.order_by("updated_at", "pk").values_list("pk", flat=True)[:SENTIMENT_CATCH_UP])


def responses_sentiment_update(*, response_ids: Iterable[int]) -> int:
    """Compute the sentiment of these responses' comments; return how many changed.

    A response whose stored sentiment is already right is not written, so a
    re-run writes nothing. A comment changed meanwhile is left to the task its
    change scheduled. The customers of changed responses are refreshed.
    """
    customers = set()
    changed = 0
    rows = Response.objects.filter(pk__in=list(response_ids)).values_list("pk", "customer_id", "comment", "sentiment")
    for response_id, customer_id, comment, stored in rows:
        value = comment_sentiment(comment)
        if value == stored:
            continue
        if Response.objects.filter(pk=response_id, comment=comment).update(sentiment=value):
            changed += 1
            customers.add(customer_id)
    for customer in Customer.objects.filter(pk__in=customers):
        customer_feedback_refresh(customer=customer, source_ref="comment sentiment")
    return changed
