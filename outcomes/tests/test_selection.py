"""The searches (the best set of values, the best band) against brute force, and their p-values where nothing
differs: a search's corrected p must not fall below 0.05 more often than 1 time in 20."""

import itertools
import math
import random

import numpy as np
import pytest
from scipy import stats as scipy_stats

from outcomes.selection import best_band, best_value_set, split_z, support_minimum
from outcomes.stats import interaction_test, proportion_test


def _random_table(rng: random.Random, values: int, rest: int):
    everyone = [rng.randint(1, 60) for _ in range(values)]
    best = [rng.randint(0, customers) for customers in everyone]
    rest_best = rng.randint(0, rest)
    return best, everyone, sum(best) + rest_best, sum(everyone) + rest


def test_its_z_is_the_two_proportion_tests():
    z = split_z(60, 200, 150, 1_000)

    assert 2 * scipy_stats.norm.sf(abs(z)) == pytest.approx(proportion_test(60, 150, 140, 850))
    assert z > 0


@pytest.mark.parametrize("seed", range(5))
def test_it_finds_the_best_of_every_subset_of_values_when_each_customer_has_one(seed):
    rng = random.Random(seed)
    for _ in range(60):
        best, everyone, best_total, total = _random_table(rng, rng.randint(2, 6), rest=0)
        if not 0 < best_total < total:
            continue
        subsets = [s for size in range(1, len(everyone)) for s in itertools.combinations(range(len(everyone)), size)]
        strongest = max(
            subsets,
            key=lambda s: split_z(sum(best[i] for i in s), sum(everyone[i] for i in s), best_total, total),
        )
        z = split_z(sum(best[i] for i in strongest), sum(everyone[i] for i in strongest), best_total, total)

        found = best_value_set(best, everyone, best_total, total, permutations=20)

        if z <= 0:
            assert found is None
        else:
            assert found.z == pytest.approx(z)
            assert (found.best, found.everyone) == (
                sum(best[i] for i in found.members),
                sum(everyone[i] for i in found.members),
            )


def test_it_finds_the_planted_set_and_corrects_its_p_value_for_the_search():
    # Ten values of 300 customers; four hold the best at 26%, six at 20%.
    everyone = [300] * 10
    best = [78, 78, 78, 78, 60, 60, 60, 60, 60, 60]

    found = best_value_set(best, everyone, sum(best), sum(everyone))

    assert set(found.members) == {0, 1, 2, 3}
    assert found.raw_p_value == pytest.approx(proportion_test(312, 672, 1_200 - 312, 3_000 - 672))
    assert found.candidates == 2**10 - 2
    # The search's p-value is far above the winner's own (it could have picked any of 1,022 sets), still small.
    assert 5 * found.raw_p_value < found.p_value < 0.05


def test_it_gives_the_same_p_value_on_every_run():
    arguments = ([30, 12, 20, 9], [100, 80, 90, 70], 80, 400)

    assert best_value_set(*arguments) == best_value_set(*arguments)


def test_it_finds_no_set_when_every_value_has_the_same_rate():
    assert best_value_set([10, 20, 30], [50, 100, 150], 60, 300) is None


def _null_p_values(search, seed: int, trials: int) -> np.ndarray:
    """The search's p-values on tables where the best are dealt out at random (nothing differs)."""
    generator = np.random.default_rng(seed)
    p_values = []
    for _ in range(trials):
        everyone = [int(count) for count in generator.integers(30, 300, 8)]
        groups = [*everyone, 100]  # and 100 customers of no value given
        best_total = sum(groups) // 5
        dealt = generator.multivariate_hypergeometric(groups, best_total)
        found = search([int(count) for count in dealt[:8]], everyone, best_total, sum(groups))
        p_values.append(1.0 if found is None else found.p_value)
    return np.array(p_values)


def test_a_sets_p_value_holds_its_level_where_nothing_differs():
    p_values = _null_p_values(lambda *table: best_value_set(*table, permutations=499), seed=3, trials=400)

    # 5% expected; 8.5% is over three standard errors above it. The uncorrected p of the winner is far below.
    assert (p_values <= 0.05).mean() < 0.085


def test_a_bands_p_value_holds_its_level_where_nothing_differs():
    p_values = _null_p_values(lambda *table: best_band(*table, support=40), seed=4, trials=1_000)

    assert (p_values <= 0.05).mean() < 0.07


@pytest.mark.parametrize("seed", range(3))
def test_it_finds_the_band_with_the_largest_z_among_runs_of_bins_with_enough_customers(seed):
    rng = random.Random(seed)
    for _ in range(40):
        best, everyone, best_total, total = _random_table(rng, rng.randint(2, 9), rest=rng.randint(0, 30))
        if not 0 < best_total < total:
            continue
        support = 25
        runs = [
            (start, end)
            for start in range(len(everyone))
            for end in range(start + 1, len(everyone) + 1)
            if (start, end) != (0, len(everyone)) and sum(everyone[start:end]) >= support
        ]
        z_of = {run: split_z(sum(best[slice(*run)]), sum(everyone[slice(*run)]), best_total, total) for run in runs}

        found = best_band(best, everyone, best_total, total, support=support)

        if not runs or max(z_of.values()) <= 0:
            assert found is None
            continue
        start, end = found.members[0], found.members[-1] + 1
        assert found.members == tuple(range(start, end))
        assert found.z == pytest.approx(max(z_of.values()))
        assert found.candidates == len(runs)
        raw = proportion_test(found.best, best_total, found.everyone - found.best, total - best_total)
        assert found.raw_p_value == pytest.approx(raw)
        assert found.p_value <= min(1.0, len(runs) * raw) + 1e-12


def test_it_asks_a_value_or_a_band_for_twenty_customers_or_one_percent():
    assert support_minimum(500) == 20
    assert support_minimum(1_000_000) == 10_000


def _logistic_interaction(cells):
    """The interaction coefficient of a logistic regression on two traits and its Wald p, fitted by Newton's method
    on the eight counts (an independent way to the same figure)."""
    rows, weights, outcomes = [], [], []
    for (first, second), (best, everyone) in cells.items():
        for outcome, weight in ((1, best), (0, everyone - best)):
            rows.append([1, first, second, first * second])
            weights.append(weight)
            outcomes.append(outcome)
    x, w, y = np.array(rows, float), np.array(weights, float), np.array(outcomes, float)
    beta = np.zeros(4)
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ beta))
        hessian = (x * (w * p * (1 - p))[:, None]).T @ x
        beta += np.linalg.solve(hessian, x.T @ (w * (y - p)))
    se = math.sqrt(np.linalg.inv(hessian)[3, 3])
    return math.exp(beta[3]), 2 * scipy_stats.norm.sf(abs(beta[3] / se))


def test_it_tests_a_pairs_interaction_as_a_logistic_regression_would():
    cells = {(1, 1): (216, 600), (1, 0): (200, 1_000), (0, 1): (180, 900), (0, 0): (300, 1_500)}

    ratio, p_value = interaction_test(cells[1, 1], cells[1, 0], cells[0, 1], cells[0, 0])

    expected_ratio, expected_p = _logistic_interaction(cells)
    assert ratio == pytest.approx(expected_ratio)
    assert p_value == pytest.approx(expected_p)
    assert ratio > 2
    assert p_value < 1e-5


def test_it_finds_no_interaction_where_each_trait_multiplies_the_odds_alone():
    # Odds 1/4 with neither, ×2 with the first, ×3 with the second, ×6 with both: no interaction.
    ratio, p_value = interaction_test((600, 1_000), (100, 300), (150, 350), (100, 500))

    assert ratio == pytest.approx(1.0)
    assert p_value == pytest.approx(1.0)
