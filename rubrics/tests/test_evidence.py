"""A criterion's evidence on the base: counted by hand on a planted base; the value profile and the database
give the same numbers; each verdict in words."""

import pytest
from django.core.cache import cache
from scipy import stats as scipy_stats

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from rubrics import scoring, value_profile
from rubrics.evidence import (
    AGAINST,
    DATABASE,
    NO_DIFFERENCE,
    PROFILE,
    SEPARATES,
    TOO_FEW,
    criterion_evidence,
    rule_evidence,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_profile_kept():
    cache.delete_many([value_profile.META_KEY, value_profile.BUILDING_KEY])
    yield
    cache.delete_many([value_profile.META_KEY, value_profile.BUILDING_KEY])


def rule(field: str, operator: str, *values, points: int = 2, kind: str = "", bands=()) -> scoring.Criterion:
    from rubrics.fields import field_kind

    return scoring.Criterion(
        id=1,
        field=field,
        kind=kind or field_kind(field),
        operator=operator,
        values=tuple(values),
        points=points,
        bands=tuple(scoring.Band(points=points, min=low, max=high) for low, high in bands),
    )


def _customers(count: int, **fields) -> None:
    Customer.objects.bulk_create(CustomerFactory.build(**fields) for _ in range(count))


@pytest.fixture
def planted():
    """Software: 30 won (6 churned, CLV 100k / 300k), 10 lost, 5 prospects. Retail: 15 won, 45 lost, 5 open.
    No industry: 5 won, 5 lost."""
    _customers(24, industry="Software", deal_outcome="won", lifecycle_stage="customer", clv=100_000)
    _customers(6, industry="Software", deal_outcome="won", lifecycle_stage="churned", clv=300_000)
    _customers(10, industry="Software", deal_outcome="lost", lifecycle_stage="prospect", clv=None)
    _customers(5, industry="Software", deal_outcome="", lifecycle_stage="prospect", clv=None)
    _customers(15, industry="Retail", deal_outcome="won", lifecycle_stage="customer", clv=50_000)
    _customers(45, industry="Retail", deal_outcome="lost", lifecycle_stage="prospect", clv=None)
    _customers(5, industry="Retail", deal_outcome="open", lifecycle_stage="opportunity", clv=None)
    _customers(5, industry="", deal_outcome="won", lifecycle_stage="customer", clv=None)
    _customers(5, industry="", deal_outcome="lost", lifecycle_stage="prospect", clv=None)


def test_it_counts_matches_no_data_and_win_rates_as_counted_by_hand(planted):
    evidence = rule_evidence(rule("industry", "in", "software"))

    assert evidence.matched.customers == 45
    assert evidence.rest.customers == 75
    assert evidence.no_data == 10
    assert evidence.matched.win_rate.value == pytest.approx(30 / 40)
    assert evidence.matched.win_rate.n == 40
    assert evidence.rest.win_rate.value == pytest.approx(20 / 70)
    assert evidence.matched.churn.value == pytest.approx(6 / 30)
    assert evidence.matched.average_clv.value == pytest.approx((24 * 100_000 + 6 * 300_000) / 30)
    assert evidence.rest.average_clv.value == pytest.approx(50_000)
    assert evidence.rest.average_clv.n == 15  # the won deals without a CLV are not counted as 0
    table = [[30, 10], [20, 50]]
    chi2, p_value, _, _ = scipy_stats.chi2_contingency(table, correction=False)
    assert evidence.p_value == pytest.approx(p_value)
    assert evidence.verdict == SEPARATES
    assert evidence.sentence.startswith("It separates good from bad customers: 75% of the deals it matches were won")


def test_it_says_when_a_rule_marks_worse_customers_yet_adds_points(planted):
    evidence = rule_evidence(rule("industry", "in", "retail", points=3))

    assert evidence.verdict == AGAINST
    assert evidence.sentence.endswith("Yet it adds points.")


def test_it_says_when_there_is_no_clear_difference():
    _customers(40, industry="Software", deal_outcome="won")
    _customers(40, industry="Software", deal_outcome="lost", lifecycle_stage="prospect")
    _customers(41, industry="Retail", deal_outcome="won")
    _customers(39, industry="Retail", deal_outcome="lost", lifecycle_stage="prospect")

    evidence = rule_evidence(rule("industry", "in", "software"))

    assert evidence.verdict == NO_DIFFERENCE
    assert evidence.sentence.startswith("No clear difference: 50% of the deals it matches were won, against 51%")


def test_it_says_when_there_are_too_few_decided_deals_to_tell(planted):
    evidence = rule_evidence(rule("industry", "in", "nowhere"))

    assert evidence.matched.customers == 0
    assert evidence.verdict == TOO_FEW
    assert "Too few decided deals to tell" in evidence.sentence


def test_it_flags_a_field_known_only_after_the_sale(planted):
    assert rule_evidence(rule("lifecycle_stage", "in", "customer")).after_the_sale
    assert not rule_evidence(rule("industry", "in", "software")).after_the_sale


VARIED_RULES = [
    rule("industry", "in", "SOFTWARE", "retail"),
    rule("industry", "not_in", "Software"),
    rule("industry", "empty"),
    rule("contact_titles", "contains_any", "marketing", "CFO"),
    rule("employees", "gte", 200),
    rule("employees", "between", 200, 2_000),
    rule("employees", "lte", 1_999),
    rule("employees", "bands", points=1, bands=[(None, 49), (50, 199), (2_001, None)]),
    rule("annual_revenue", "between", 5_000_000, 2_000_000_000),
    rule("annual_revenue", "gte", 2_500_001),
    rule("sentiment", "lte", -21),
    rule("has_public_review", "true"),
    rule("has_public_review", "false"),
    rule("is_prominent_brand", "empty"),
]
NOT_ALIGNED = [rule("employees", "gte", 205), rule("annual_revenue", "lte", 2_550_000)]


@pytest.fixture
def varied():
    values = [
        (None, None, None, None, "", "won"),
        ("Software", 199, 4_999_999, -22, "Head of Marketing", "won"),
        ("software", 200, 5_000_000, -21, "CFO; CTO", "lost"),
        ("Retail", 1_999, 2_000_000_000, -20, "Buyer", "won"),
        ("Retail", 2_000, 2_000_000_001, 0, "marketing lead", "lost"),
        ("Logistics", 2_001, 2_500_001, 100, "", ""),
        ("", 204, 2_549_999, -100, "cfo", "won"),
        ("Healthcare", 205, -2_550_000, 55, "Nurse", "lost"),
    ]
    for number, (industry, employees, revenue, sentiment, titles, outcome) in enumerate(values * 3):
        CustomerFactory(
            industry=industry or "",
            employees=employees,
            annual_revenue=revenue,
            sentiment=sentiment,
            contact_titles=titles,
            deal_outcome=outcome,
            lifecycle_stage="churned" if number % 4 == 0 else "customer" if outcome == "won" else "prospect",
            clv=1_000 * number if outcome == "won" else None,
            has_public_review=[True, False, None][number % 3],
            is_prominent_brand=[None, True][number % 2],
        )


def _numbers(evidence):
    def side(s):
        return (s.customers, s.won, s.lost, s.won_churned, s.won_clv.n, round(s.won_clv.mean, 6))

    return side(evidence.matched), side(evidence.rest), evidence.no_data


@pytest.mark.parametrize("criterion", VARIED_RULES, ids=lambda c: f"{c.field}-{c.operator}-{c.values}")
def test_the_value_profile_gives_the_databases_numbers(varied, criterion):
    value_profile.profile_build()

    from_profile = criterion_evidence(criterion)

    assert from_profile.source == PROFILE
    assert _numbers(from_profile) == _numbers(rule_evidence(criterion))


@pytest.mark.parametrize("criterion", NOT_ALIGNED, ids=lambda c: f"{c.field}-{c.operator}-{c.values}")
def test_a_bound_inside_a_bucket_is_asked_of_the_database(varied, criterion):
    value_profile.profile_build()

    evidence = criterion_evidence(criterion)

    assert evidence.source == DATABASE
    assert _numbers(evidence) == _numbers(rule_evidence(criterion))


def test_a_profile_of_an_older_base_is_not_used_and_a_new_one_is_built(varied, django_capture_on_commit_callbacks):
    value_profile.profile_build()
    CustomerFactory(industry="Software", deal_outcome="won")
    criterion = rule("industry", "in", "software")

    with django_capture_on_commit_callbacks(execute=True) as sent:  # tasks run in-process in tests
        evidence = criterion_evidence(criterion)
        assert criterion_evidence(criterion).source == DATABASE  # a second asker queues no second rebuild

    assert len(sent) == 1

    assert evidence.source == DATABASE
    assert _numbers(evidence) == _numbers(rule_evidence(criterion))
    assert criterion_evidence(criterion).source == PROFILE


def test_a_deleted_customer_makes_the_profile_old(varied):
    from customers.services.records import customer_delete

    value_profile.profile_build()
    customer_delete(customer=Customer.objects.filter(industry="Retail").first(), user=None)

    assert criterion_evidence(rule("industry", "in", "retail")).source == DATABASE


@pytest.mark.parametrize(
    "numbers",
    [
        [0, 1, 99, 100, 101, 109, 110, 199, 200, 201, 999, 1_000, 1_001, 1_099, 1_100, 5_000_000, 5_099_999],
        [-1, -99, -100, -101, -109, -110, -999, -1_000, -1_001, -2_549_999, -2_550_000, -9_000_000_000_000_000_000],
        [9_000_000_000_000_000_000, 123_456_789_012, 10**17 + 1],
    ],
)
def test_each_bucket_the_database_makes_holds_exactly_the_numbers_its_bounds_say(numbers):
    for number in numbers:
        CustomerFactory(annual_revenue=number)

    entries = value_profile.profile_compute()["annual_revenue"]

    buckets = {(entry.low, entry.high): entry.tally.customers for entry in entries if entry.low is not None}
    expected: dict[tuple[int, int], int] = {}
    for number in numbers:
        (low, high) = next(bounds for bounds in buckets if bounds[0] <= number <= bounds[1])
        expected[low, high] = expected.get((low, high), 0) + 1
        assert value_profile.bucket_bounds(low) == (low, high)
    assert buckets == expected
    assert all(low == high or abs(low) >= 100 for low, high in buckets)
