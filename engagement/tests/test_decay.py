"""Decay, computed by hand: the pure engine and the SQL path give the same value and the same score."""

import datetime

import pytest
from django.db import connection

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from engagement.models import DailyCount, EventType
from profiles.models import Profile
from rubrics import scoring
from rubrics.compile import score_annotations, scored_sql
from rubrics.criteria_sql import Decayed
from rubrics.models import Rubric, RubricVersion, Score
from rubrics.selectors import customer_attributes
from rubrics.services.scores import scores_write

TODAY = datetime.datetime.now(datetime.UTC).date()


def _criterion(decay: scoring.Decay, values=(9,)) -> scoring.Criterion:
    """Website visits at least ``values[0]`` (after decay): 5 points."""
    return scoring.Criterion(
        id=1,
        field="website_visits_30d",
        kind="number",
        operator="gte",
        points=5,
        values=values,
        group="engagement",
        decay=decay,
    )


# (decay, [(age in days, count)], the value by hand)
CASES = [
    # 2 points an event, half-life 7 days, 3 events a day at most:
    # today 5 -> 3 x 2 = 6; a week ago 2 -> 2 x 2 x 0.5 = 2; two weeks ago 4 -> 3 x 2 x 0.25 = 1.5
    (scoring.Decay("website_visit", points=2, half_life=7, cap_per_day=3), [(0, 5), (7, 2), (14, 4)], 9.5),
    # the same capped at 8 in all
    (scoring.Decay("website_visit", points=2, half_life=7, cap_per_day=3, cap_total=8), [(0, 5), (7, 2), (14, 4)], 8.0),
    # no cap per day: 5 x 2 + 2 x 2 x 0.5 + 4 x 2 x 0.25 = 10 + 2 + 2
    (scoring.Decay("website_visit", points=2, half_life=7), [(0, 5), (7, 2), (14, 4)], 14.0),
    # half a half-life: 0.5 ** 0.5 = 0.70710..., rounded to thousandths
    (scoring.Decay("website_visit", points=1, half_life=14), [(7, 1)], 0.707),
    # a day in the future does not count
    (scoring.Decay("website_visit", points=1, half_life=14), [(-1, 3), (0, 1)], 1.0),
]


@pytest.mark.parametrize(("decay", "days", "expected"), CASES)
def test_it_decays_the_daily_counts_as_computed_by_hand(decay, days, expected):
    assert scoring.decayed_value(decay, tuple(days)) == expected


@pytest.fixture
def visits(db):
    return EventType.objects.get(key="website_visit")


def _plant(customer, event_type, days):
    DailyCount.objects.bulk_create(
        DailyCount(customer=customer, event_type=event_type, day=TODAY - datetime.timedelta(days=age), count=count)
        for age, count in days
    )


@pytest.mark.parametrize(("decay", "days", "expected"), CASES)
def test_the_sql_path_decays_the_same(visits, decay, days, expected):
    customer = CustomerFactory(website_visits_30d=100)
    _plant(customer, visits, days)
    criterion = _criterion(decay)

    value = Customer.objects.filter(pk=customer.pk).annotate(value=Decayed(criterion)).get().value

    assert value == expected
    assert scoring.criterion_value(customer_attributes(customer), criterion) == expected


def test_an_account_without_events_keeps_its_imported_column(visits):
    quiet = CustomerFactory(website_visits_30d=12)
    other_type = CustomerFactory(website_visits_30d=12)
    _plant(other_type, EventType.objects.get(key="meeting"), [(0, 1)])
    criterion = _criterion(scoring.Decay("website_visit", points=1, half_life=14))
    rows = dict(
        Customer.objects.filter(pk__in=[quiet.pk, other_type.pk])
        .annotate(value=Decayed(criterion))
        .values_list("pk", "value")
    )

    # No events at all: the column (12). Events, but none of this type: 0.
    assert rows == {quiet.pk: 12.0, other_type.pk: 0.0}
    assert scoring.criterion_value(customer_attributes(quiet), criterion) == 12.0
    assert scoring.criterion_value(customer_attributes(other_type), criterion) == 0.0


@pytest.mark.parametrize("threshold", [9.5, 9.499, 9.501])
def test_the_score_agrees_at_the_edge_of_a_criterion(visits, threshold):
    """9.5 worth after decay against "is at least" 9.499 / 9.5 / 9.501: the two engines agree on every side."""
    customer = CustomerFactory(website_visits_30d=0)
    _plant(customer, visits, CASES[0][1])
    criterion = _criterion(CASES[0][0], values=(threshold,))
    rubric = scoring.Rubric(criteria=(criterion,), threshold=5)
    version = RubricVersion.objects.create(
        rubric=Rubric.objects.create(profile=Profile.objects.create(name="Decay"), name="Engagement"),
        number=1,
        threshold=5,
        status="published",
    )

    expected = scoring.score(rubric, customer_attributes(customer))
    computed = Customer.objects.annotate(**score_annotations(rubric)).get(pk=customer.pk)
    scores_write(version=version, spec=rubric, low_id=customer.pk, high_id=customer.pk)
    with connection.cursor() as cursor:
        cursor.execute(*scored_sql(rubric, Customer.objects.filter(pk=customer.pk)))
        names = [column[0] for column in cursor.description]
        bulk = dict(zip(names, cursor.fetchone(), strict=True))

    assert expected.total == (5 if threshold <= 9.5 else 0)
    assert computed.total == expected.total
    assert bulk["total"] == expected.total
    assert Score.objects.get(customer=customer).total == expected.total


def test_caps_per_day_and_in_all_bound_a_noisy_account(visits):
    noisy = CustomerFactory(website_visits_30d=0)
    _plant(noisy, visits, [(0, 10_000), (1, 10_000)])
    decay = scoring.Decay("website_visit", points=1, half_life=1, cap_per_day=20, cap_total=25)
    criterion = _criterion(decay)

    value = Customer.objects.filter(pk=noisy.pk).annotate(value=Decayed(criterion)).get().value

    # 20 today + 20 x 0.5 yesterday = 30, capped at 25
    assert value == 25.0 == scoring.criterion_value(customer_attributes(noisy), criterion)
