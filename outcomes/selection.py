"""The best of many candidates, with a p-value for the whole search: pure Python, NumPy and SciPy, no Django.

A search that tries many ways to split the customers (which values of a field, which band of a number) and
keeps the split with the largest difference finds a large difference even where there is none: the winner's
p-value, taken as if it had been the only test, is too small. Each search here returns its winner with a
p-value corrected for the search, which then joins the page's other p-values (Benjamini–Hochberg).

The strength of a split is the z statistic of the two-proportion test (stats.proportion_test): positive when
the best are more common inside the split than outside.

- A set of a field's values (``best_value_set``): the values sorted by their rate among the best (their
  lift), the best of the sets made of the first one, two, ... values (never all of them). When every
  customer looked at has one of the values, these prefixes are where the best of all the subsets lies
  (Breiman et al. 1984, CART, theorem 4.5: the best split of categories follows their order of rate), so the
  search is in effect over every subset; and since the order itself comes from the data, Bonferroni over
  the prefixes tried is not enough: a simulation of this search where nothing differs found the p-values it
  gives 25 times too small with 10 values and over 1,000 times with 20. The p-value is instead a
  permutation test of the whole search: the best are dealt out at random among the values, each value
  keeping its count of customers (a multivariate hypergeometric draw), the search is run on each deal, and
  p is the share of deals whose winner is at least as strong. It is exact whatever the counts, down to
  1 / (draws + 1); below that, the smaller of two bounds on the chance that the best of every subset is as
  strong: Bonferroni over every subset, and Scheffé's (no merging of the values can show more difference
  than the whole table of values: the χ² of the winner against χ² with as many degrees of freedom as the
  table).
- A band of a number (``best_band``): the bins are cut without looking at who is best, so the candidate
  bands (every run of adjacent bins) are fixed before the search, and Bonferroni over them is valid; by
  simulation it is also close (64 bins: p at most 1.2 to 2 times too large).

Both are deterministic: the permutations come from a generator with a fixed seed, so the same counts give
the same p-value on every database and every run.
"""

import math
from dataclasses import dataclass

import numpy as np

from .stats import proportion_test, scipy_stats

PERMUTATIONS = 20_000
SEED = 15  # any fixed number: the same counts must give the same p-value everywhere


@dataclass(frozen=True)
class Found:
    """The winner of a search: which groups it takes, how strong it is, and its p-values."""

    members: tuple[int, ...]  # indexes into the groups given (a set: in the order of the lift; a band: first to last)
    best: int
    everyone: int
    z: float
    raw_p_value: float  # the winner's own test, as if it had been the only candidate
    p_value: float  # corrected for the search
    candidates: int  # how many candidates the search chose among


def split_z(best_with, having, best_total: int, total: int):
    """The two-proportion z of a split (works on NumPy arrays too): the best inside it against the rest.

    The same statistic as stats.proportion_test's z-test (pooled), written with the counts of the split:
    (best_with − having · B / N) / √(having · (N − having) · B · (N − B) / N³).
    """
    expected = having * best_total / total
    variance = having * (total - having) * best_total * (total - best_total) / total**3
    return (best_with - expected) / np.sqrt(variance)


def _scheffe_bound(z: float, groups: list[int]) -> float:
    """P(χ² with g − 1 degrees of freedom ≥ z²), g the groups with customers (those given, and the rest): the
    χ² of any split of the groups in two is at most the χ² of the whole table, so this bounds the chance that
    the best of all the splits reaches z² (Scheffé's argument)."""
    count = sum(1 for customers in groups if customers)
    return float(scipy_stats().chi2.sf(z * z, count - 1))


def _prefix_z(best: np.ndarray, everyone: np.ndarray, best_total: int, total: int) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``best`` (one count per value), the values in descending order of their rate and the z of
    each prefix of that order but the whole."""
    order = np.argsort(-(best / everyone), axis=-1, kind="stable")
    best_sums = np.take_along_axis(best, order, axis=-1).cumsum(axis=-1)[..., :-1]
    everyone_sums = everyone[order].cumsum(axis=-1)[..., :-1]
    return order, split_z(best_sums, everyone_sums, best_total, total)


def best_value_set(
    best: list[int], everyone: list[int], best_total: int, total: int, *, permutations: int = PERMUTATIONS
) -> Found | None:
    """The set of values (at least one, not all) more common among the best than among the rest, with the largest
    z, from each value's counts; ``best_total`` and ``total`` also count the customers of no value given (rare
    values, no data), who stay outside every set. None when no set is more common among the best.

    1. Sort the values by their rate among the best (their lift), highest first; ties keep the order given.
    2. The winner is the prefix of that order (one value, two, ... all but one) with the largest z.
    3. Its p-value is the permutation test of steps 1–2 (see the module), or the bounds below its resolution.
    """
    count = len(everyone)
    if count < 2 or not 0 < best_total < total or not all(everyone):
        return None
    best_array, everyone_array = np.array(best, dtype=float), np.array(everyone, dtype=float)
    order, z = _prefix_z(best_array, everyone_array, best_total, total)
    length = int(np.argmax(z)) + 1
    if z[length - 1] <= 0:
        return None
    members = tuple(int(index) for index in order[:length])
    set_best, set_everyone = sum(best[i] for i in members), sum(everyone[i] for i in members)
    raw = proportion_test(set_best, best_total, set_everyone - set_best, total - best_total)
    subsets = 2**count - 2

    groups = [*everyone, total - sum(everyone)]  # the rest as one more group, never in a set
    generator = np.random.default_rng(SEED)
    deals = generator.multivariate_hypergeometric(groups, best_total, size=permutations, method="marginals")
    _, dealt_z = _prefix_z(deals[:, :count].astype(float), everyone_array, best_total, total)
    as_strong = int(np.count_nonzero(dealt_z.max(axis=1) >= z[length - 1] - 1e-9))
    p_value = (1 + as_strong) / (1 + permutations)
    if not as_strong:
        bound = min(1.0, subsets * raw, _scheffe_bound(float(z[length - 1]), groups))
        p_value = min(p_value, bound)
    return Found(members, set_best, set_everyone, float(z[length - 1]), raw, p_value, subsets)


def best_band(best: list[int], everyone: list[int], best_total: int, total: int, *, support: int) -> Found | None:
    """The run of adjacent bins (not all of them) holding at least ``support`` customers in which the best are
    most over-represented (largest z), from each bin's counts in the order of the values; ``best_total`` and
    ``total`` also count the customers with no value, who are outside every band. None when no band is more
    common among the best.

    Its p-value: Bonferroni over every run of bins with enough customers, or Scheffé's bound when that is
    smaller (see the module).
    """
    count = len(everyone)
    if count < 2 or not 0 < best_total < total:
        return None
    best_sums = np.concatenate(([0], np.cumsum(best)))
    everyone_sums = np.concatenate(([0], np.cumsum(everyone)))
    starts, ends = np.triu_indices(count + 1, 1)  # the band of bins starts .. ends - 1
    having = everyone_sums[ends] - everyone_sums[starts]
    kept = (having >= support) & ~((starts == 0) & (ends == count))
    if not kept.any():
        return None
    starts, ends, having = starts[kept], ends[kept], having[kept]
    inside = best_sums[ends] - best_sums[starts]
    z = split_z(inside.astype(float), having.astype(float), best_total, total)
    winner = int(np.argmax(z))
    if z[winner] <= 0:
        return None
    band_best, band_everyone = int(inside[winner]), int(having[winner])
    raw = proportion_test(band_best, best_total, band_everyone - band_best, total - best_total)
    candidates = len(z)
    scheffe = _scheffe_bound(float(z[winner]), [*everyone, total - sum(everyone)])
    p_value = min(1.0, candidates * raw, scheffe)
    members = tuple(range(int(starts[winner]), int(ends[winner])))
    return Found(members, band_best, band_everyone, float(z[winner]), raw, p_value, candidates)


def support_minimum(total: int, *, customers: int = 20, share: float = 0.01) -> int:
    """The fewest customers a value of a set, or a band, must hold: ``customers``, and ``share`` of those looked at.

    It is decided from the counts of everyone, never of the best, so the candidates are fixed before the search.
    """
    return max(customers, math.ceil(share * total))
