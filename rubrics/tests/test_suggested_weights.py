"""Suggested weights from won and lost deals, against a planted base whose odds ratios are known by hand."""

import datetime
import math

import pytest
from django.urls import reverse

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from rubrics import scoring
from rubrics.models import Criterion, Rubric, RubricVersion
from rubrics.suggested_weights import MIN_WON, weights_suggest
from teams.models import Role

pytestmark = pytest.mark.django_db

EARLY, LATE = datetime.date(2025, 3, 1), datetime.date(2026, 3, 1)
CUTOFF = datetime.date(2026, 1, 1)


def criterion(id_, field, operator, *values, points=1, kind=None):
    from rubrics.fields import field_kind

    return scoring.Criterion(
        id=id_, field=field, kind=kind or field_kind(field), operator=operator, values=values, points=points
    )


INDUSTRY = criterion(1, "industry", "in", "Software", points=-1)
COUNTRY = criterion(2, "country", "in", "Germany", points=2)
STAGE = criterion(3, "lifecycle_stage", "in", "customer", points=3)


def _deals(count, *, industry, country, won, closed_on=EARLY):
    Customer.objects.bulk_create(
        CustomerFactory.build(
            industry=industry,
            country=country,
            deal_outcome="won" if won else "lost",
            lifecycle_stage="customer" if won else "prospect",
            closed_on=closed_on,
        )
        for _ in range(count)
    )


def _planted(scale=1, closed_on=EARLY):
    """Software: 200 won, 100 lost (odds 2); the rest: 100 won, 200 lost (odds 1/2): an odds ratio of 4.
    Germany is half of every cell: an odds ratio of exactly 1."""
    for industry, won, lost in (("Software", 200, 100), ("Retail", 100, 200)):
        for country in ("Germany", "France"):
            _deals(won * scale // 2, industry=industry, country=country, won=True, closed_on=closed_on)
            _deals(lost * scale // 2, industry=industry, country=country, won=False, closed_on=closed_on)


def test_it_learns_the_planted_odds_ratio_and_its_standard_error():
    _planted(scale=10)

    suggestion = weights_suggest(scoring.Rubric(criteria=(INDUSTRY, COUNTRY), threshold=0), cutoff=CUTOFF)

    industry, country = suggestion.weights
    # Shrunk towards 0 by the L2 penalty, by about its weight (1) against the data's (1 / SE² = 333): 0.3%.
    assert math.log(4) * 0.99 < industry.coefficient < math.log(4)
    # The 2x2 table's log odds ratio has the standard error sqrt(1/2000 + 1/1000 + 1/1000 + 1/2000).
    standard_error = math.sqrt(1 / 2000 + 1 / 1000 + 1 / 1000 + 1 / 2000)
    assert (industry.high - industry.low) / (2 * 1.959964) == pytest.approx(standard_error, rel=0.02)
    assert industry.points == 3  # 2 × log2(4) = 4, within the rubric's -3..+3
    assert industry.sure
    assert country.coefficient == pytest.approx(0, abs=1e-6)
    assert not country.sure
    assert country.points == 0
    assert (suggestion.won, suggestion.lost) == (3000, 3000)


def test_the_penalty_shrinks_a_small_base_more_and_says_so_in_the_interval():
    _planted()

    (industry,) = weights_suggest(scoring.Rubric(criteria=(INDUSTRY,), threshold=0), cutoff=CUTOFF).weights

    # 600 deals: the penalty (1) against the data's weight (1 / 0.03 = 33) shrinks the coefficient by ~3%.
    assert math.log(4) * 0.95 < industry.coefficient < math.log(4) * 0.99
    assert industry.low > 0


def test_it_leaves_out_a_field_known_only_after_the_sale():
    _planted()

    rubric = scoring.Rubric(criteria=(INDUSTRY, STAGE), threshold=0)
    suggestion = weights_suggest(rubric, cutoff=CUTOFF)

    assert [weight.slot.criterion.id for weight in suggestion.weights] == [1]
    assert [slot.criterion.id for slot in suggestion.left_out] == [3]
    rows = suggestion.rows(rubric)
    assert rows[1].weight is None
    assert rows[1].why_none.startswith("Known only after the sale")


def test_it_tests_the_suggestion_on_later_deals_against_the_current_points():
    _planted()
    _planted(closed_on=LATE)

    suggestion = weights_suggest(scoring.Rubric(criteria=(INDUSTRY, COUNTRY), threshold=0), cutoff=CUTOFF)

    assert (suggestion.test_won, suggestion.test_lost) == (300, 300)
    # On the later deals Software wins 2 in 3, the rest 1 in 3. Suggested (Software +3, Germany 0): Software above
    # the rest, an AUC of (200·200 + ½(100·100 + 200·200)) / (300·300) = 2/3. Current (Software -1, Germany +2):
    # scores -1 (100 won, 50 lost), 0 (50, 100), 1 (100, 50), 2 (50, 100); counting each won deal's lost deals
    # below it, ties half: 100·25 + 50·100 + 100·175 + 50·250 = 37,500 of 90,000.
    assert suggestion.suggested_auc.value == pytest.approx(2 / 3)
    assert suggestion.current_auc.value == pytest.approx(37_500 / 90_000)
    assert suggestion.comparison.better == "first"
    assert "the suggestion separates them significantly better" in suggestion.sentence


def test_it_says_plainly_when_the_data_is_too_thin():
    _deals(MIN_WON - 1, industry="Software", country="Germany", won=True)
    _deals(100, industry="Retail", country="Germany", won=False)

    suggestion = weights_suggest(scoring.Rubric(criteria=(INDUSTRY,), threshold=0), cutoff=CUTOFF)

    assert suggestion.weights == []
    assert suggestion.thin.startswith(f"Too few decided deals to learn from: {MIN_WON - 1} won and 100 lost")


def test_it_splits_learning_and_testing_at_the_latest_fifth_by_default():
    _planted(closed_on=EARLY)
    _deals(40, industry="Software", country="France", won=True, closed_on=LATE)
    _deals(110, industry="Retail", country="France", won=False, closed_on=LATE)

    suggestion = weights_suggest(scoring.Rubric(criteria=(INDUSTRY,), threshold=0))

    assert suggestion.cutoff == LATE  # 600 early and 150 late deals: the latest fifth closed on LATE
    assert (suggestion.test_won, suggestion.test_lost) == (40, 110)


@pytest.fixture
def version():
    from profiles.models import Profile

    rubric = Rubric.objects.create(profile=Profile.objects.create(name="ICP"), name="Fit")
    version = RubricVersion.objects.create(rubric=rubric, number=1, threshold=1, status="published")
    Criterion.objects.create(version=version, field="industry", operator="in", values=["Software"], points=-1)
    return version


def test_an_admin_sees_the_suggested_weights_of_a_version(client_as, version):
    _planted()

    answer = client_as(Role.ADMIN).get(reverse("rubrics:suggested_weights", args=[version.pk]))

    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Learned from 300 won and 300 lost deals; too few deals closed later to test it on." in page
    assert 'data-testid="suggested-points">' in page


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MEMBER, Role.SALES_REP])
def test_only_admins_see_a_versions_suggested_weights_and_evidence(client_as, version, role):
    client = client_as(role)
    criterion_id = version.criteria.get().pk

    assert client.get(reverse("rubrics:suggested_weights", args=[version.pk])).status_code == 403
    assert client.get(reverse("rubrics:criterion_evidence", args=[criterion_id])).status_code == 403
    assert client.get(reverse("rubrics:rule_evidence", args=[version.pk])).status_code == 403


def test_the_editor_says_when_a_typed_rule_overlaps_a_criterion(client_as, version):
    answer = client_as(Role.ADMIN).get(
        reverse("rubrics:rule_evidence", args=[version.pk]),
        {"field": "industry", "operator": "in", "values": "software, Retail", "points": "1", "group": "fit"},
    )

    assert answer.status_code == 200
    assert "It overlaps “industry is one of Software”: customers matching both get both criteria's points." in (
        answer.content.decode().replace("&#x27;", "'")
    )
