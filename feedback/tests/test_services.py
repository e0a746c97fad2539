"""Feedback keeps the customer's NPS, sentiment, referral count and advocacy flags in step, audited and re-scored."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from customers.models import Customer, CustomerChange
from customers.tests.factories import CustomerFactory
from feedback.models import Advocacy, FeedbackChange, Referral, Response
from feedback.services.answers import customer_feedback_refresh, customer_feedback_values, response_submit
from feedback.services.referrals import advocacy_create, referral_create, referral_status_set
from feedback.tests.factories import invitation_for, published_nps_rubric
from rubrics.models import Score
from rubrics.selectors import version_spec
from rubrics.services.scores import scores_write
from teams.models import Role

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _response(customer, score, *, days_ago=0, sentiment=None, comment=""):
    return Response.objects.create(
        customer=customer,
        score=score,
        comment=comment,
        sentiment=sentiment,
        source="import",
        answered_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC) - days_ago * DAY,
    )


def test_the_latest_answer_gives_the_nps_and_the_commented_ones_the_average_sentiment():
    customer = CustomerFactory(nps=None)
    _response(customer, 3, days_ago=10, sentiment=-0.5, comment="bad")
    _response(customer, 9, days_ago=1, sentiment=0.8, comment="good")
    _response(customer, 7, days_ago=5)

    values = customer_feedback_values(customer.pk)

    assert values == {"nps": 9, "sentiment": 15}  # (−0.5 + 0.8) / 2 × 100


def test_a_customer_without_feedback_keeps_what_its_crm_said():
    customer = CustomerFactory(nps=8, referrals_made=4, has_case_study=False, sentiment=20)

    customer_feedback_refresh(customer=customer)

    customer.refresh_from_db()
    assert (customer.nps, customer.referrals_made, customer.has_case_study, customer.sentiment) == (8, 4, False, 20)
    assert not CustomerChange.objects.filter(customer=customer).exists()


def test_answers_without_comments_clear_a_sentiment_they_no_longer_support():
    customer = CustomerFactory(nps=None, sentiment=40)
    _response(customer, 6)

    customer_feedback_refresh(customer=customer)

    customer.refresh_from_db()
    assert (customer.nps, customer.sentiment) == (6, None)


def test_the_refresh_is_audited_on_the_customer_and_writes_nothing_the_second_time(make_person):
    admin = make_person(Role.ADMIN)
    customer = CustomerFactory(nps=None)
    _response(customer, 4, sentiment=-0.25, comment="slow")

    customer_feedback_refresh(customer=customer, user=admin, source="web", source_ref="test")
    customer_feedback_refresh(customer=customer, user=admin, source="web", source_ref="test")

    change = CustomerChange.objects.get(customer=customer)
    assert change.changes == {"nps": [None, 4], "sentiment": [None, -25]}
    assert (change.changed_by, change.source, change.source_ref) == (admin, "web", "test")


def test_a_new_answer_re_scores_its_customer(django_capture_on_commit_callbacks):
    version = published_nps_rubric(threshold=6)
    customer = CustomerFactory(industry="Software", nps=None)
    scores_write(version=version, spec=version_spec(version), low_id=customer.pk, high_id=customer.pk)
    before = Score.objects.get(customer=customer)
    assert (before.total, before.qualified) == (3, False)
    invitation = invitation_for(customer)

    with django_capture_on_commit_callbacks(execute=True):
        response_submit(invitation=invitation, score=10, comment="")

    after = Score.objects.get(customer=customer)
    assert (after.total, after.qualified) == (6, True)


def test_a_changed_answer_re_scores_again(django_capture_on_commit_callbacks):
    version = published_nps_rubric(threshold=6)
    customer = CustomerFactory(industry="Software", nps=None)
    invitation = invitation_for(customer)
    with django_capture_on_commit_callbacks(execute=True):
        response_submit(invitation=invitation, score=10, comment="")
    assert Score.objects.get(customer=customer, rubric=version.rubric).total == 6

    with django_capture_on_commit_callbacks(execute=True):
        response_submit(invitation=invitation, score=5, comment="")

    assert Score.objects.get(customer=customer, rubric=version.rubric).total == 3


def test_a_referral_counts_for_the_referrer_and_is_audited(make_person):
    member = make_person(Role.MEMBER)
    referrer = CustomerFactory(referrals_made=None)
    referred = CustomerFactory(name="Newco")

    referral = referral_create(
        referrer=referrer, referred_customer=referred, referred_on=datetime.date(2026, 5, 2), user=member
    )
    referral_create(referrer=referrer, referred_name="Other Co", referred_on=datetime.date(2026, 5, 3), user=member)

    referrer.refresh_from_db()
    assert referrer.referrals_made == 2
    audit = FeedbackChange.objects.filter(entity="referral", entity_id=referral.pk).get()
    assert (audit.action, audit.changed_by, audit.customer) == ("created", member, referrer)
    assert audit.changes["referred"] == [None, "Newco"]
    history = CustomerChange.objects.filter(customer=referrer).first()
    assert history.changes == {"referrals_made": [1, 2]}
    assert history.changed_by == member


def test_a_referral_must_name_whom_and_not_the_referrer_itself(make_person):
    customer = CustomerFactory()

    with pytest.raises(ValidationError):
        referral_create(referrer=customer, referred_on=datetime.date(2026, 5, 2), user=None)
    with pytest.raises(ValidationError):
        referral_create(referrer=customer, referred_customer=customer, referred_on=datetime.date(2026, 5, 2), user=None)
    assert not Referral.objects.exists()


def test_closing_a_referral_is_audited_once(make_person):
    member = make_person(Role.MEMBER)
    referral = referral_create(
        referrer=CustomerFactory(), referred_domain="newco.example", referred_on=datetime.date(2026, 5, 2), user=member
    )

    referral_status_set(referral=referral, status="won", user=member)
    referral_status_set(referral=referral, status="won", user=member)

    referral.refresh_from_db()
    assert referral.status == "won"
    updates = FeedbackChange.objects.filter(entity="referral", action="updated")
    assert [change.changes for change in updates] == [{"status": ["open", "won"]}]


def test_advocacy_sets_the_customers_flags(make_person):
    admin = make_person(Role.ADMIN)
    customer = CustomerFactory(has_case_study=None, has_public_review=None)

    advocacy_create(customer=customer, kind="case_study", happened_on=datetime.date(2026, 4, 1), user=admin)
    advocacy_create(customer=customer, kind="reference_call", happened_on=datetime.date(2026, 4, 2), user=admin)

    customer.refresh_from_db()
    assert (customer.has_case_study, customer.has_public_review) == (True, None)
    assert Advocacy.objects.filter(customer=customer).count() == 2
    assert FeedbackChange.objects.filter(entity="advocacy", changed_by=admin).count() == 2


def test_an_unknown_advocacy_kind_is_refused():
    customer = CustomerFactory()

    with pytest.raises(ValidationError):
        advocacy_create(customer=customer, kind="tweet", happened_on=datetime.date(2026, 4, 1), user=None)

    assert not Advocacy.objects.exists()
    assert Customer.objects.get(pk=customer.pk).has_case_study is None
