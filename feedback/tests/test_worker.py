"""A new answer through the broker and a real Celery worker: its sentiment computed, its customer re-scored."""

import pytest

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from feedback.models import Response
from feedback.sentiment import comment_sentiment, sentiment_percent
from feedback.services.answers import response_submit
from feedback.tests.factories import invitation_for, published_nps_rubric
from rubrics.models import Score
from tests.support import wait_for

pytestmark = [pytest.mark.worker]

COMMENT = "Wonderful support, the best tool we bought this year."


def test_an_answer_is_scored_and_its_sentiment_computed_by_the_worker(real_worker):
    version = published_nps_rubric(threshold=6)
    customer = CustomerFactory(industry="Software", nps=None, sentiment=None)

    response_submit(invitation=invitation_for(customer), score=10, comment=COMMENT)

    wait_for(lambda: Response.objects.filter(sentiment__isnull=False).exists(), what="the comment's sentiment")
    expected = sentiment_percent(comment_sentiment(COMMENT))
    wait_for(lambda: Customer.objects.get(pk=customer.pk).sentiment == expected, what="the customer's sentiment")
    wait_for(lambda: Score.objects.filter(customer=customer, total=6).exists(), what="the customer's new score")
    assert Score.objects.get(customer=customer, rubric=version.rubric).qualified
