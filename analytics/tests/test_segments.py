"""Segments compared: every figure against the same figure counted by hand from the customers themselves."""

import statistics

import pytest
from scipy import stats as scipy_stats

from analytics.segments import segments_compare

from .factories import total_by_hand

pytestmark = pytest.mark.django_db


def _expected(customers) -> dict:
    """(value, n) of each figure, and the interval of the means by SciPy, from the customers' own fields."""
    decided = [c for c in customers if c.deal_outcome in ("won", "lost")]
    clients = [c for c in customers if c.lifecycle_stage in ("customer", "churned")]
    answers = [c.nps for c in customers if c.nps is not None]
    figures = {
        "conversion": (sum(c.deal_outcome == "won" for c in decided) / len(decided), len(decided)),
        "churn_rate": (sum(c.lifecycle_stage == "churned" for c in clients) / len(clients), len(clients)),
        "nps": (100 * (sum(a >= 9 for a in answers) - sum(a <= 6 for a in answers)) / len(answers), len(answers)),
    }
    means = {
        "clv": [c.clv for c in customers if c.clv is not None],
        "sentiment": [c.sentiment for c in customers if c.sentiment is not None],
        "tenure": [c.tenure_months for c in customers if c.tenure_months is not None],
        "sales_cycle": [c.sales_cycle_days for c in customers if c.deal_outcome == "won"],
    }
    for key, values in means.items():
        interval = scipy_stats.t.interval(
            0.95, len(values) - 1, loc=statistics.mean(values), scale=scipy_stats.sem(values)
        )
        figures[key] = (statistics.mean(values), len(values), interval)
    return figures


def test_it_compares_fit_with_not_fit_and_each_grade_as_counted_by_hand(icp):
    compared = segments_compare(rubric=icp.rubric, version=icp.published)

    totals = {customer.pk: total_by_hand(icp.published, customer) for customer in icp.customers}
    groups = {
        "all": icp.customers,
        "fit": [c for c in icp.customers if totals[c.pk] >= 4],
        "not_fit": [c for c in icp.customers if totals[c.pk] < 4],
        "grade:A": [c for c in icp.customers if totals[c.pk] >= 5],
        "grade:B": [c for c in icp.customers if 3 <= totals[c.pk] < 5],
        "grade:C": [c for c in icp.customers if 0 <= totals[c.pk] < 3],
        "grade:-": [c for c in icp.customers if totals[c.pk] < 0],
    }
    segments = {segment.key: segment for segment in compared.segments}
    assert list(segments) == [key for key, customers in groups.items() if customers]
    for key, segment in segments.items():
        assert segment.outcomes.customers == len(groups[key]), key
        figures = {name: estimate for name, _, estimate, _ in segment.figures}
        for name, (value, n, *interval) in _expected(groups[key]).items():
            assert figures[name].value == pytest.approx(value), (key, name)
            assert figures[name].n == n, (key, name)
            if interval:
                assert (figures[name].low, figures[name].high) == pytest.approx(interval[0]), (key, name)


def test_it_flags_figures_resting_on_fewer_than_30_customers(icp):
    compared = segments_compare(rubric=icp.rubric, version=icp.published)

    for segment in compared.segments:
        for name, _, estimate, _ in segment.figures:
            assert estimate.small == (estimate.n < 30), (segment.key, name)
    assert any(estimate.small for segment in compared.segments for _, _, estimate, _ in segment.figures)


def test_it_counts_only_the_published_versions_scores(icp):
    icp.published.rubric.scores.filter(customer=icp.customers[0]).update(version=icp.retired)

    compared = segments_compare(rubric=icp.rubric, version=icp.published)

    assert compared.everyone.outcomes.customers == len(icp.customers) - 1
