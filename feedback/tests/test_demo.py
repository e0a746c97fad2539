"""The demo feedback: a bounded set of answers, referrals and advocacy, loaded once, kept on the customers."""

import pytest

from customers.models import Customer
from customers.services.seeding import customer_demo_seed
from feedback.demo import DEMO_CUSTOMERS, demo_feedback_ensure
from feedback.models import Advocacy, Referral, Response
from rubrics.demo import demo_rubric_ensure, demo_scores_write

pytestmark = pytest.mark.django_db


def test_it_loads_answers_referrals_and_advocacy_once_on_a_bounded_set(django_capture_on_commit_callbacks):
    customer_demo_seed(count=1500, seed=7, owner_ids=[])
    demo_scores_write(version=demo_rubric_ensure())

    with django_capture_on_commit_callbacks(execute=True):
        added = demo_feedback_ensure()
    again = demo_feedback_ensure()

    assert added == Response.objects.count() == DEMO_CUSTOMERS * 3 // 4
    assert again == 0
    assert Referral.objects.exists()
    assert Advocacy.objects.exists()
    touched = set(Response.objects.values_list("customer_id", flat=True))
    touched |= set(Referral.objects.values_list("referrer_id", flat=True))
    assert len(touched) <= DEMO_CUSTOMERS
    latest = Response.objects.order_by("customer_id", "-answered_at").first()
    assert Customer.objects.get(pk=latest.customer_id).nps == latest.score
    assert Response.objects.filter(sentiment__lt=0).exists()
    assert Response.objects.filter(sentiment__gt=0).exists()
