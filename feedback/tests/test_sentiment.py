"""Comment sentiment with VADER (the real package and its lexicon): the same text, the same score, every time."""

import io

import pytest
from django.core.management import call_command

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from feedback.models import Response
from feedback.sentiment import comment_sentiment, sentiment_percent
from feedback.services.answers import response_submit, responses_sentiment_update
from feedback.tasks import responses_sentiment
from feedback.tests.factories import invitation_for

COMMENTS = [
    "Great product, the support team is wonderful.",
    "Terrible onboarding, slow and frustrating.",
    "It works.",
    "Good features but awful billing :(",
]


@pytest.mark.parametrize(
    ("comment", "sign"),
    [(COMMENTS[0], 1), (COMMENTS[1], -1), ("The invoice arrived on Tuesday.", 0)],
)
def test_it_reads_the_tone_of_a_comment(comment, sign):
    score = comment_sentiment(comment)

    assert -1 <= score <= 1
    assert (score > 0.05) - (score < -0.05) == sign


def test_the_same_comment_always_gets_the_same_score():
    first = [comment_sentiment(comment) for comment in COMMENTS]

    again = [comment_sentiment(comment) for comment in reversed(COMMENTS)][::-1]

    assert first == again
    assert first == [comment_sentiment(f"  {comment.replace(' ', '  ')} ") for comment in COMMENTS]


def test_an_empty_comment_has_no_sentiment():
    assert comment_sentiment("") is None
    assert comment_sentiment("  \n ") is None


@pytest.mark.parametrize(("compound", "percent"), [(0.8, 80), (-0.125, -13), (0.005, 1), (-1.0, -100), (0.0, 0)])
def test_the_customer_keeps_it_as_a_rounded_percent(compound, percent):
    assert sentiment_percent(compound) == percent


@pytest.mark.django_db
def test_the_task_stores_the_score_and_a_rerun_writes_nothing(django_capture_on_commit_callbacks):
    customer = CustomerFactory(nps=None, sentiment=None)
    invitation = invitation_for(customer)

    with django_capture_on_commit_callbacks(execute=True):
        response_submit(invitation=invitation, score=3, comment=COMMENTS[1])

    stored = Response.objects.get()
    assert stored.sentiment == comment_sentiment(COMMENTS[1]) < 0
    customer.refresh_from_db()
    assert customer.sentiment == sentiment_percent(stored.sentiment)
    updated_at = Response.objects.get().updated_at

    assert responses_sentiment.delay([stored.pk]).get() == 0
    assert responses_sentiment_update(response_ids=[stored.pk]) == 0
    assert Response.objects.get().updated_at == updated_at
    assert Customer.objects.get(pk=customer.pk).sentiment == customer.sentiment


@pytest.mark.django_db
def test_the_command_recomputes_every_answer_the_same_way():
    customers = CustomerFactory.create_batch(2, nps=None)
    responses = [
        Response.objects.create(
            customer=customers[number % 2],
            score=5,
            comment=comment,
            source="import",
            answered_at=f"2026-05-0{number + 1}T00:00Z",
        )
        for number, comment in enumerate(COMMENTS)
    ]
    out = io.StringIO()

    call_command("feedback_sentiment", stdout=out)
    first = dict(Response.objects.values_list("pk", "sentiment"))
    call_command("feedback_sentiment", stdout=out)

    assert first == dict(Response.objects.values_list("pk", "sentiment"))
    assert first == {response.pk: comment_sentiment(response.comment) for response in responses}
    assert "4 changed" in out.getvalue().splitlines()[0]
    assert "0 changed" in out.getvalue().splitlines()[1]
    expected = round(100 * (first[responses[0].pk] + first[responses[2].pk]) / 2)
    assert Customer.objects.get(pk=customers[0].pk).sentiment == expected
