"""The statistics, against independent calculations: brute force, textbook values, SciPy directly."""

import itertools
import math
import random
import statistics

import pytest
from scipy import stats as scipy_stats

from outcomes.stats import (
    Moments,
    Outcomes,
    auc,
    auc_compare,
    false_discovery_q_values,
    mean_interval,
    nps_interval,
    proportion_test,
    roc_points,
    suggested_points,
    wilson,
)


def test_it_gives_wilsons_interval():
    # Textbook: 8 successes in 10 trials, 95%: 0.490 to 0.943.
    estimate = wilson(8, 10)

    assert estimate.value == 0.8
    assert estimate.low == pytest.approx(0.4902, abs=1e-4)
    assert estimate.high == pytest.approx(0.9433, abs=1e-4)
    assert estimate.small


def test_it_keeps_wilsons_interval_inside_zero_and_one_and_has_none_without_trials():
    assert wilson(0, 50).low == 0.0
    assert wilson(50, 50).high == 1.0
    assert wilson(0, 0).value is None


def test_it_gives_a_t_interval_for_a_mean():
    values = [12, 15, 9, 20, 17, 11, 14]
    moments = Moments.of(len(values), statistics.mean(values), statistics.stdev(values))

    estimate = mean_interval(moments)

    low, high = scipy_stats.t.interval(
        0.95, len(values) - 1, loc=statistics.mean(values), scale=scipy_stats.sem(values)
    )
    assert (estimate.low, estimate.high) == (pytest.approx(low), pytest.approx(high))


def test_it_pools_groups_exactly():
    rng = random.Random(3)
    groups = [[rng.randint(0, 1000) for _ in range(rng.randint(1, 40))] for _ in range(6)]
    pooled = Moments()
    for group in groups:
        pooled = pooled + Moments.of(
            len(group), statistics.mean(group), statistics.stdev(group) if len(group) > 1 else None
        )

    everything = [value for group in groups for value in group]
    assert pooled.n == len(everything)
    assert pooled.mean == pytest.approx(statistics.mean(everything))
    assert pooled.sd == pytest.approx(statistics.stdev(everything))


def test_it_takes_a_groups_moments_from_its_sums():
    values = [120_000, 95_000, 310_000, 42_000, 88_500]

    moments = Moments.of_sums(len(values), float(sum(values)), float(sum(v * v for v in values)))

    assert moments.mean == pytest.approx(statistics.mean(values))
    assert moments.sd == pytest.approx(statistics.stdev(values))
    assert Moments.of_sums(1, 7.0, 49.0).sd is None
    assert Moments.of_sums(0, None, None) == Moments()


def test_it_counts_the_nps_and_its_adjusted_wald_interval():
    # 50 promoters, 30 passives, 20 detractors: NPS 30.
    estimate = nps_interval(promoters=50, detractors=20, respondents=100)

    n = 103
    promoting, detracting = 50.75 / n, 20.75 / n
    half = 1.959964 * math.sqrt((promoting + detracting - (promoting - detracting) ** 2) / n)
    assert estimate.value == 30
    assert estimate.low == pytest.approx(100 * (promoting - detracting - half), abs=1e-3)
    assert estimate.high == pytest.approx(100 * (promoting - detracting + half), abs=1e-3)


def test_it_keeps_an_all_promoter_interval_open_below():
    estimate = nps_interval(promoters=12, detractors=0, respondents=12)

    assert estimate.value == 100
    assert estimate.low < 100
    assert estimate.high == 100


def _brute_force_auc(won_scores, lost_scores):
    pairs = [(w > lo) + 0.5 * (w == lo) for w, lo in itertools.product(won_scores, lost_scores)]
    return sum(pairs) / len(pairs)


def _delong_variance(won_scores, lost_scores):
    """DeLong's variance from each observation's placement, the textbook way."""
    v10 = [sum((w > lo) + 0.5 * (w == lo) for lo in lost_scores) / len(lost_scores) for w in won_scores]
    v01 = [sum((w > lo) + 0.5 * (w == lo) for w in won_scores) / len(won_scores) for lo in lost_scores]
    return statistics.variance(v10) / len(won_scores) + statistics.variance(v01) / len(lost_scores)


def _counts(won_scores, lost_scores):
    counts = {}
    for score in won_scores:
        counts[score] = (counts.get(score, (0, 0))[0] + 1, counts.get(score, (0, 0))[1])
    for score in lost_scores:
        counts[score] = (counts.get(score, (0, 0))[0], counts.get(score, (0, 0))[1] + 1)
    return counts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_computes_the_auc_and_delongs_variance_from_counts_per_score_with_ties(seed):
    rng = random.Random(seed)
    won_scores = [rng.randint(0, 8) + 2 for _ in range(rng.randint(20, 60))]
    lost_scores = [rng.randint(0, 8) for _ in range(rng.randint(20, 60))]

    result = auc(_counts(won_scores, lost_scores))

    assert result.value == pytest.approx(_brute_force_auc(won_scores, lost_scores))
    assert result.variance == pytest.approx(_delong_variance(won_scores, lost_scores))
    assert (result.positives, result.negatives) == (len(won_scores), len(lost_scores))


def test_it_gives_no_auc_without_won_or_lost_deals():
    assert auc({3: (5, 0)}).value is None
    assert auc({}).value is None


def test_it_compares_two_scores_of_the_same_customers_with_delongs_paired_test():
    rng = random.Random(11)
    customers = []
    for _ in range(300):
        won = rng.random() < 0.3
        good = rng.randint(0, 6) + (3 if won else 0)  # separates well
        weak = rng.randint(0, 6) + (1 if won else 0)  # barely
        customers.append((good, weak, won))
    joint = {}
    for good, weak, won in customers:
        pair = joint.get((good, weak), (0, 0))
        joint[(good, weak)] = (pair[0] + won, pair[1] + (not won))

    comparison = auc_compare(joint)

    won_good = [good for good, _, won in customers if won]
    lost_good = [good for good, _, won in customers if not won]
    won_weak = [weak for _, weak, won in customers if won]
    lost_weak = [weak for _, weak, won in customers if not won]
    assert comparison.first.value == pytest.approx(_brute_force_auc(won_good, lost_good))
    assert comparison.second.value == pytest.approx(_brute_force_auc(won_weak, lost_weak))
    # The paired variance, the textbook way: placements of each customer under both scores.
    v10 = [
        sum((w > lo) + 0.5 * (w == lo) for lo in lost_good) / len(lost_good)
        - sum((v > m) + 0.5 * (v == m) for m in lost_weak) / len(lost_weak)
        for w, v in zip(won_good, won_weak, strict=True)
    ]
    v01 = [
        sum((w > lo) + 0.5 * (w == lo) for w in won_good) / len(won_good)
        - sum((v > m) + 0.5 * (v == m) for v in won_weak) / len(won_weak)
        for lo, m in zip(lost_good, lost_weak, strict=True)
    ]
    variance = statistics.variance(v10) / len(v10) + statistics.variance(v01) / len(v01)
    assert comparison.z == pytest.approx(comparison.difference / math.sqrt(variance))
    assert comparison.better == "first"


def test_it_draws_the_roc_curve_from_the_top_score_down():
    assert roc_points({1: (0, 2), 5: (2, 0), 3: (1, 1)}) == [(0, 0), (0.0, 2 / 3), (1 / 3, 1.0), (1.0, 1.0)]


def test_it_tests_two_proportions_as_pearsons_chi_square():
    table = [[60, 140], [300, 1500]]

    p = proportion_test(60, 200, 300, 1800)

    chi2 = scipy_stats.chi2_contingency(table, correction=False)
    assert p == pytest.approx(chi2.pvalue)


def test_it_uses_fishers_exact_test_for_small_groups():
    p = proportion_test(3, 4, 10, 100)

    assert p == pytest.approx(scipy_stats.fisher_exact([[3, 1], [10, 90]]).pvalue)


def test_it_corrects_p_values_by_benjamini_hochberg():
    p_values = [0.01, 0.04, None, 0.03, 0.5]

    q_values = false_discovery_q_values(p_values)

    # By hand: sorted 0.01, 0.03, 0.04, 0.5 over 4 tests: 0.04, 0.0533, 0.0533, 0.5 (monotone).
    assert q_values[0] == pytest.approx(0.04)
    assert q_values[1] == pytest.approx(0.04 * 4 / 3)
    assert q_values[2] is None
    assert q_values[3] == pytest.approx(0.04 * 4 / 3)
    assert q_values[4] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("lift", "points"),
    [(1.1, 1), (1.5, 1), (2.0, 2), (3.0, 3), (10.0, 3), (0.9, -1), (0.5, -2), (0.2, -3), (0.0, -3)],
)
def test_it_scales_suggested_points_with_the_lift(lift, points):
    assert suggested_points(lift) == points


def test_it_adds_outcomes_of_groups():
    first = Outcomes(customers=3, won=1, lost=1, clv=Moments.of(1, 100, None))
    second = Outcomes(customers=2, won=1, lost=0, clv=Moments.of(1, 300, None))

    both = first + second

    assert both.customers == 5
    assert both.conversion.value == pytest.approx(2 / 3)
    assert both.average_clv.value == 200
