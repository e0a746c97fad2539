"""Churn risk among ICP accounts: the list with its reasons, who sees what, and the weekly digest."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.tests.factories import CustomerFactory
from feedback.models import RiskDigest
from feedback.risk import at_risk_page, at_risk_scores, digest_week, risk_reasons, risk_thresholds
from feedback.services.risk_digest import risk_digest_send
from feedback.tasks import risk_digests_send
from leads.tests.factories import customers_score, published_rubric
from teams.models import Role, Team
from teams.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture
def icp():
    """A published rubric qualifying Software companies, and current customers of every kind of risk."""
    version = published_rubric(industries=("Software",))
    healthy = {"nps": 9, "sentiment": 30, "active_days_30d": 20, "lifecycle_stage": "customer", "industry": "Software"}
    accounts = {
        "healthy": CustomerFactory(name="Healthy", **healthy),
        "detractor": CustomerFactory(name="Detractor", **{**healthy, "nps": 6}),
        "grumpy": CustomerFactory(name="Grumpy", **{**healthy, "sentiment": -6}),
        "idle": CustomerFactory(name="Idle", **{**healthy, "active_days_30d": 5}),
        "everything": CustomerFactory(
            name="Everything", **{**healthy, "nps": 0, "sentiment": -80, "active_days_30d": 0}
        ),
        "unknown": CustomerFactory(
            name="Unknown", **{**healthy, "nps": None, "sentiment": None, "active_days_30d": None}
        ),
        "not icp": CustomerFactory(name="Not ICP", **{**healthy, "nps": 1, "industry": "Retail"}),
        "churned": CustomerFactory(name="Churned", **{**healthy, "nps": 1, "lifecycle_stage": "churned"}),
        "prospect": CustomerFactory(name="Prospect", **{**healthy, "nps": 1, "lifecycle_stage": "prospect"}),
    }
    customers_score(version, *accounts.values())
    return version, accounts


def _names(response):
    return [row.customer.name for row in response.context["page"].rows]


def test_it_lists_the_icp_customers_at_risk_with_their_reasons(client_as, icp):
    version, _ = icp

    response = client_as(Role.MEMBER).get("/feedback/at-risk/", {"rubric": version.rubric_id})

    assert response.status_code == 200
    assert sorted(_names(response)) == ["Detractor", "Everything", "Grumpy", "Idle"]
    reasons = {row.customer.name: row.reasons for row in response.context["page"].rows}
    assert reasons["Everything"] == [
        "Detractor (NPS 0)",
        "Negative sentiment (-80)",
        "Low usage (0 active days in 30)",
    ]
    assert reasons["Idle"] == ["Low usage (5 active days in 30)"]
    assert "Negative sentiment (-6)" in response.text


def test_the_thresholds_come_from_the_settings(client_as, icp, settings):
    settings.FEEDBACK_RISK_SENTIMENT_BELOW = -10
    settings.FEEDBACK_RISK_ACTIVE_DAYS_AT_MOST = 2

    response = client_as(Role.ADMIN).get("/feedback/at-risk/")

    assert sorted(_names(response)) == ["Detractor", "Everything"]


def test_a_rep_sees_only_their_own_accounts(client_as, icp):
    _, accounts = icp
    client = client_as(Role.SALES_REP)
    accounts["idle"].owner = client.person
    accounts["idle"].save()

    response = client.get("/feedback/at-risk/")

    assert _names(response) == ["Idle"]


def test_a_member_of_another_team_gets_403(client_as, icp):
    client = client_as(Role.MEMBER, team=TeamFactory(slug=Team.MARKETING))

    assert client.get("/feedback/at-risk/").status_code == 403


def test_pages_never_count_the_whole_list(client_as, icp):
    version, _ = icp
    client = client_as(Role.ADMIN)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/feedback/at-risk/", {"rubric": version.rubric_id})

    assert len(_names(response)) == 4
    assert not response.context["page"].has_next
    assert not [query for query in queries.captured_queries if "COUNT(" in query["sql"].upper()]


def test_a_page_reads_one_row_more_to_know_there_is_a_next_one(icp):
    version, _ = icp
    scores = at_risk_scores(rubric=version.rubric, user=None, thresholds=risk_thresholds())

    first = at_risk_page(scores, number=1, thresholds=risk_thresholds(), per_page=3)
    second = at_risk_page(scores, number=2, thresholds=risk_thresholds(), per_page=3)

    assert (len(first.rows), first.has_next, len(second.rows), second.has_next) == (3, True, 1, False)
    assert {row.customer.name for row in first.rows + second.rows} == {"Detractor", "Everything", "Grumpy", "Idle"}


def test_a_customer_without_data_is_never_at_risk():
    customer = CustomerFactory.build(nps=None, sentiment=None, active_days_30d=None)

    assert risk_reasons(customer, risk_thresholds()) == []


def test_the_week_starts_on_monday_in_utc():
    assert digest_week(datetime.datetime(2026, 11, 25, 23, 0, tzinfo=UTC)) == datetime.date(2026, 11, 23)
    assert digest_week(datetime.datetime(2026, 11, 23, 0, 0, tzinfo=UTC)) == datetime.date(2026, 11, 23)
    assert digest_week(datetime.datetime(2026, 11, 22, 23, 59, tzinfo=UTC)) == datetime.date(2026, 11, 16)


def test_the_digest_is_a_weekly_periodic_job():
    jobs = {job["task"]: job["schedule"] for job in django_settings.CELERY_BEAT_SCHEDULE.values()}

    assert risk_digests_send.name in jobs
    assert jobs[risk_digests_send.name].day_of_week == {1}


def test_the_customer_success_team_gets_the_digest_once_a_week(make_person, icp, settings):
    settings.SITE_URL = "https://icp.example.com"
    success = make_person(Role.MEMBER, email="casey@example.com")
    make_person(Role.MEMBER, team=TeamFactory(slug=Team.MARKETING), email="mia@example.com")
    make_person(Role.SALES_REP, email="riley@example.com")

    risk_digests_send.delay()
    risk_digests_send.delay()

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [success.email]
    assert email.subject == "4 ICP accounts at risk this week"
    assert "Everything: Detractor (NPS 0), Negative sentiment (-80), Low usage (0 active days in 30)" in email.body
    assert "https://icp.example.com/customers/" in email.body
    assert "Healthy" not in email.body
    assert RiskDigest.objects.get(user=success).account_count == 4


def test_a_week_with_nothing_at_risk_is_recorded_without_an_email(make_person):
    success = make_person(Role.MEMBER, email="casey@example.com")
    week = datetime.date(2026, 11, 23)

    digest = risk_digest_send(user=success, week=week)

    assert digest.account_count == 0
    assert mail.outbox == []
    assert risk_digest_send(user=success, week=week) is None
