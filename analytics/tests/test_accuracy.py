"""Is the ICP accurate? The lift and the AUC the page reports against a calculation by hand on the same data."""

import itertools

import pytest

from analytics.accuracy import accuracy_measure, previous_version
from rubrics.models import Criterion, RubricVersion

from .factories import total_by_hand

pytestmark = pytest.mark.django_db


def _auc_by_hand(scored: list[tuple[int, str]]) -> float:
    """Every (won, lost) pair compared: 1 when the won deal scores higher, 1/2 on a tie."""
    won = [total for total, outcome in scored if outcome == "won"]
    lost = [total for total, outcome in scored if outcome == "lost"]
    pairs = [(w > lo) + 0.5 * (w == lo) for w, lo in itertools.product(won, lost)]
    return sum(pairs) / len(pairs)


def _conversion(customers) -> float:
    decided = [c for c in customers if c.deal_outcome in ("won", "lost")]
    return sum(c.deal_outcome == "won" for c in decided) / len(decided)


def _mean_clv(customers) -> float:
    values = [c.clv for c in customers if c.clv is not None]
    return sum(values) / len(values)


def _churn(customers) -> float:
    clients = [c for c in customers if c.lifecycle_stage in ("customer", "churned")]
    return sum(c.lifecycle_stage == "churned" for c in clients) / len(clients)


def test_it_reports_the_auc_a_pairwise_comparison_by_hand_gives(icp):
    measured = accuracy_measure(rubric=icp.rubric, version=icp.published)

    scored = [(total_by_hand(icp.published, c), c.deal_outcome) for c in icp.customers]
    assert measured.published.auc.value == pytest.approx(_auc_by_hand(scored), abs=1e-12)
    assert measured.published.auc.positives == sum(c.deal_outcome == "won" for c in icp.customers)
    assert measured.published.auc.low < measured.published.auc.value < measured.published.auc.high


def test_it_reports_each_grades_lift_over_the_base_rate_as_counted_by_hand(icp):
    measured = accuracy_measure(rubric=icp.rubric, version=icp.published)

    totals = {c.pk: total_by_hand(icp.published, c) for c in icp.customers}
    grades = {
        "Grade A": [c for c in icp.customers if totals[c.pk] >= 5],
        "Grade B": [c for c in icp.customers if 3 <= totals[c.pk] < 5],
        "Grade C": [c for c in icp.customers if 0 <= totals[c.pk] < 3],
        "No grade": [c for c in icp.customers if totals[c.pk] < 0],
    }
    bands = {band.label: band for band in measured.published.grades}
    assert list(bands) == [label for label, customers in grades.items() if customers]
    for label, band in bands.items():
        customers = grades[label]
        assert band.outcomes.customers == len(customers)
        assert band.conversion_lift == pytest.approx(_conversion(customers) / _conversion(icp.customers))
        assert band.clv_lift == pytest.approx(_mean_clv(customers) / _mean_clv(icp.customers))
        assert band.churn_lift == pytest.approx(_churn(customers) / _churn(icp.customers))
    # The planted segment is grade A (industry and size): it converts at about three times the rest.
    assert bands["Grade A"].conversion_lift > 2


def test_it_splits_the_scores_into_deciles_without_splitting_a_score(icp):
    measured = accuracy_measure(rubric=icp.rubric, version=icp.published)

    totals = {c.pk: total_by_hand(icp.published, c) for c in icp.customers}
    deciles = measured.published.deciles
    assert [band.min_score for band in deciles] == sorted((band.min_score for band in deciles), reverse=True)
    assert all(later.max_score < earlier.min_score for earlier, later in itertools.pairwise(deciles))
    assert sum(band.outcomes.customers for band in deciles) == len(icp.customers)
    for band in deciles:
        customers = [c for c in icp.customers if band.min_score <= totals[c.pk] <= band.max_score]
        assert band.outcomes.customers == len(customers)
        assert band.share == pytest.approx(len(customers) / len(icp.customers))
        assert band.conversion_lift == pytest.approx(_conversion(customers) / _conversion(icp.customers))


def test_it_puts_a_score_in_the_decile_of_its_customers_middle_rank():
    from analytics.accuracy import decile_bands
    from outcomes.stats import Outcomes

    # 100 customers: score 0 holds 5 (middle rank 2.5: decile 1), score 1 holds 50 (middle 30: decile 4),
    # score 2 holds 45 (middle 77.5: decile 8).
    by_score = {0: Outcomes(customers=5), 1: Outcomes(customers=50), 2: Outcomes(customers=45)}

    bands = decile_bands(by_score)

    assert [(band.label, band.min_score, band.outcomes.customers) for band in bands] == [
        ("Decile 8", 2, 45),
        ("Decile 4", 1, 50),
        ("Decile 1", 0, 5),
    ]


def test_it_compares_the_published_version_with_the_retired_one_on_the_same_customers(icp):
    against = previous_version(icp.published)

    measured = accuracy_measure(rubric=icp.rubric, version=icp.published, against=against)

    assert against == icp.retired
    old = [(total_by_hand(icp.retired, c), c.deal_outcome) for c in icp.customers]
    new = [(total_by_hand(icp.published, c), c.deal_outcome) for c in icp.customers]
    assert measured.other.auc.value == pytest.approx(_auc_by_hand(old), abs=1e-12)
    assert measured.published.auc.value == pytest.approx(_auc_by_hand(new), abs=1e-12)
    assert measured.comparison.difference == pytest.approx(_auc_by_hand(new) - _auc_by_hand(old))
    # v2 adds the planted size and Healthcare: it separates won from lost deals better, significantly.
    assert measured.better is measured.published
    assert measured.comparison.p_value < 0.05


def test_it_scores_a_draft_on_the_fly_for_the_comparison(icp):
    draft = RubricVersion.objects.create(rubric=icp.rubric, number=3, threshold=2)
    Criterion.objects.create(version=draft, field="website_visits_30d", operator="gte", values=[20], points=2)

    measured = accuracy_measure(rubric=icp.rubric, version=icp.published, against=draft)

    scored = [(total_by_hand(draft, c), c.deal_outcome) for c in icp.customers]
    assert measured.other.auc.value == pytest.approx(_auc_by_hand(scored), abs=1e-12)
    assert measured.other.label == "v3 (draft)"


def test_it_measures_the_published_version_alone_when_there_is_nothing_to_compare(icp):
    icp.retired.delete()

    assert previous_version(icp.published) is None
    measured = accuracy_measure(rubric=icp.rubric, version=icp.published)
    assert measured.other is None
    assert measured.comparison is None
    assert measured.measured == [measured.published]
