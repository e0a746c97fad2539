"""The statistics of the analytics pages: pure Python and SciPy, no Django.

The database sends, per group of customers, counts, sums and sums of squares
(never the rows); everything here works on those aggregates:

- groups are added together exactly (``Moments`` pools means and variances);
- a proportion's 95% interval is Wilson's score interval;
- a mean's is Student's t (mean ± t(0.975, n − 1) · sd / √n);
- the Net Promoter Score's is the adjusted-Wald interval (Rocks 2016; Sauro & Lewis): add three
  respondents, 0.75 a promoter, 0.75 a detractor and 1.5 passive, and take the Wald interval of
  the mean of +1 / 0 / −1 scores;
- the area under the ROC curve is the Mann–Whitney U statistic from counts per score (ties count
  one half), with DeLong's variance, also computed from counts per score; two versions scoring the
  same customers are compared with DeLong's paired test;
- a trait's share among the best against the rest is a two-proportion z-test, or Fisher's exact
  test when an expected count is below 5; the p-values of one page are corrected together by
  Benjamini–Hochberg (the q-value: the false discovery rate at which the trait would count);
- whether two traits matter together beyond each alone is the interaction of a 2 × 2 × 2 table (Woolf).
The searches (the best set of values, the best band) and their corrected p-values are in selection.py.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from statistics import NormalDist


def scipy_stats():
    """SciPy's statistics, loaded when a figure first needs them (a second at start-up most pages never use)."""
    from scipy import stats

    return stats


CONFIDENCE = 0.95
Z = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)  # 1.96
SMALL_GROUP = 30  # below this many observations a figure is flagged as resting on a small group
FISHER_BELOW = 5  # an expected count under this makes the z-test unreliable: Fisher's exact test instead
SIGNIFICANT_Q = 0.05


@dataclass(frozen=True)
class Moments:
    """A group's count, mean and sum of squared deviations from the mean (M2), for pooling groups exactly."""

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0

    @classmethod
    def of(cls, n: int, mean: float | None, sd: float | None) -> "Moments":
        if not n:
            return cls()
        sd = sd or 0.0  # one value: no spread
        return cls(n=n, mean=float(mean), m2=(n - 1) * float(sd) ** 2)

    @classmethod
    def of_sums(cls, n: int, total: float | None, squares: float | None) -> "Moments":
        """From the count, the sum and the sum of squares of the values."""
        if not n:
            return cls()
        mean = total / n
        return cls(n=n, mean=mean, m2=max(0.0, squares - total * mean))

    def __add__(self, other: "Moments") -> "Moments":
        if not other.n:
            return self
        if not self.n:
            return other
        n = self.n + other.n
        delta = other.mean - self.mean
        return Moments(
            n=n,
            mean=self.mean + delta * other.n / n,
            m2=self.m2 + other.m2 + delta * delta * self.n * other.n / n,
        )

    @property
    def sd(self) -> float | None:
        return math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else None


@dataclass(frozen=True)
class Estimate:
    """A figure with its 95% interval and the number of observations it rests on."""

    value: float | None
    low: float | None
    high: float | None
    n: int

    @property
    def small(self) -> bool:
        return self.n < SMALL_GROUP


def wilson(successes: int, trials: int) -> Estimate:
    """The proportion successes / trials (0..1) with Wilson's score interval."""
    if not trials:
        return Estimate(None, None, None, 0)
    p = successes / trials
    denominator = 1 + Z * Z / trials
    centre = (p + Z * Z / (2 * trials)) / denominator
    half = Z * math.sqrt(p * (1 - p) / trials + Z * Z / (4 * trials * trials)) / denominator
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), trials)


def mean_interval(moments: Moments) -> Estimate:
    """The mean with Student's t interval (no interval for fewer than two values)."""
    if not moments.n:
        return Estimate(None, None, None, 0)
    if moments.n < 2:
        return Estimate(moments.mean, None, None, moments.n)
    half = float(scipy_stats().t.ppf(0.5 + CONFIDENCE / 2, moments.n - 1)) * moments.sd / math.sqrt(moments.n)
    return Estimate(moments.mean, moments.mean - half, moments.mean + half, moments.n)


def nps_interval(promoters: int, detractors: int, respondents: int) -> Estimate:
    """The Net Promoter Score in points (−100..100) with the adjusted-Wald interval."""
    if not respondents:
        return Estimate(None, None, None, 0)
    score = 100 * (promoters - detractors) / respondents
    n = respondents + 3
    promoting, detracting = (promoters + 0.75) / n, (detractors + 0.75) / n
    adjusted = promoting - detracting
    half = Z * math.sqrt((promoting + detracting - adjusted * adjusted) / n)
    return Estimate(score, max(-100.0, 100 * (adjusted - half)), min(100.0, 100 * (adjusted + half)), respondents)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when either is unknown or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


@dataclass(frozen=True)
class Outcomes:
    """What a group of customers became: the aggregates every analytics figure is made of.

    ``clients`` are customers and churned customers (churn is counted among them), ``won`` and
    ``lost`` the decided deals (conversion is counted among them); ``sales_cycle`` is the length
    of won deals.
    """

    customers: int = 0
    won: int = 0
    lost: int = 0
    clients: int = 0
    churned: int = 0
    nps_respondents: int = 0
    promoters: int = 0
    detractors: int = 0
    sentiment: Moments = field(default_factory=Moments)
    clv: Moments = field(default_factory=Moments)
    sales_cycle: Moments = field(default_factory=Moments)
    tenure: Moments = field(default_factory=Moments)

    def __add__(self, other: "Outcomes") -> "Outcomes":
        return Outcomes(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @classmethod
    def total(cls, groups: Iterable["Outcomes"]) -> "Outcomes":
        result = cls()
        for group in groups:
            result = result + group
        return result

    @property
    def conversion(self) -> Estimate:
        return wilson(self.won, self.won + self.lost)

    @property
    def churn_rate(self) -> Estimate:
        return wilson(self.churned, self.clients)

    @property
    def nps(self) -> Estimate:
        return nps_interval(self.promoters, self.detractors, self.nps_respondents)

    @property
    def average_sentiment(self) -> Estimate:
        return mean_interval(self.sentiment)

    @property
    def average_clv(self) -> Estimate:
        return mean_interval(self.clv)

    @property
    def average_sales_cycle(self) -> Estimate:
        return mean_interval(self.sales_cycle)

    @property
    def average_tenure(self) -> Estimate:
        return mean_interval(self.tenure)


# The area under the ROC curve


@dataclass(frozen=True)
class Auc:
    """How well a score separates won (positives) from lost deals (negatives): 0.5 is chance, 1 perfect."""

    value: float | None
    low: float | None
    high: float | None
    positives: int
    negatives: int
    variance: float | None = None

    @property
    def small(self) -> bool:
        return min(self.positives, self.negatives) < SMALL_GROUP


def _placements(counts: Mapping[int, tuple[int, int]]) -> tuple[dict[int, float], dict[int, float], int, int]:
    """Per score: the share of negatives a positive there outranks (V10), and of positives that outrank a
    negative there (V01), ties counting one half: DeLong's placement values, equal for equal scores."""
    positives = sum(won for won, _ in counts.values())
    negatives = sum(lost for _, lost in counts.values())
    v10, v01 = {}, {}
    negatives_below = 0
    positives_above = positives
    for score in sorted(counts):
        won, lost = counts[score]
        positives_above -= won
        if negatives:
            v10[score] = (negatives_below + lost / 2) / negatives
        if positives:
            v01[score] = (positives_above + won / 2) / positives
        negatives_below += lost
    return v10, v01, positives, negatives


def auc(counts: Mapping[int, tuple[int, int]]) -> Auc:
    """The AUC of a score from (positives, negatives) per score, with DeLong's 95% interval.

    1. Each positive's placement: the negatives below it plus half those tied, over all negatives.
    2. The AUC is their mean (= U / (positives · negatives), the Mann–Whitney statistic).
    3. DeLong's variance: the variance of the positives' placements over the positives plus that of the
       negatives' placements over the negatives.
    """
    v10, v01, positives, negatives = _placements(counts)
    if not positives or not negatives:
        return Auc(None, None, None, positives, negatives)
    value = sum(counts[score][0] * v10[score] for score in counts) / positives
    variance = _placement_variance(counts, v10, v01, value, positives, negatives)
    if variance is None:
        return Auc(value, None, None, positives, negatives)
    half = Z * math.sqrt(variance)
    return Auc(value, max(0.0, value - half), min(1.0, value + half), positives, negatives, variance)


def _placement_variance(counts, v10, v01, value, positives, negatives) -> float | None:
    if positives < 2 or negatives < 2:
        return None
    s10 = sum(won * (v10[score] - value) ** 2 for score, (won, _) in counts.items()) / (positives - 1)
    s01 = sum(lost * (v01[score] - value) ** 2 for score, (_, lost) in counts.items()) / (negatives - 1)
    return s10 / positives + s01 / negatives


@dataclass(frozen=True)
class AucComparison:
    """Two scores of the same customers: their AUCs, the difference (first − second) and DeLong's paired test."""

    first: Auc
    second: Auc
    difference: float | None
    z: float | None
    p_value: float | None

    @property
    def better(self) -> str | None:
        """ "first", "second", or None when neither separates significantly better (p ≥ 0.05)."""
        if self.p_value is None or self.p_value >= 1 - CONFIDENCE or not self.difference:
            return None
        return "first" if self.difference > 0 else "second"


def auc_compare(joint: Mapping[tuple[int, int], tuple[int, int]]) -> AucComparison:
    """Compare two scores from (positives, negatives) per pair (first score, second score) of the same customers."""
    first_counts: dict[int, list[int]] = {}
    second_counts: dict[int, list[int]] = {}
    for (first, second), (won, lost) in joint.items():
        for counts, score in ((first_counts, first), (second_counts, second)):
            pair = counts.setdefault(score, [0, 0])
            pair[0] += won
            pair[1] += lost
    first_counts = {score: tuple(pair) for score, pair in first_counts.items()}
    second_counts = {score: tuple(pair) for score, pair in second_counts.items()}
    first_auc, second_auc = auc(first_counts), auc(second_counts)
    if first_auc.value is None or second_auc.value is None:
        return AucComparison(first_auc, second_auc, None, None, None)
    difference = first_auc.value - second_auc.value
    v10_a, v01_a, positives, negatives = _placements(first_counts)
    v10_b, v01_b, _, _ = _placements(second_counts)
    if positives < 2 or negatives < 2:
        return AucComparison(first_auc, second_auc, difference, None, None)
    s10 = s01 = 0.0
    for (a, b), (won, lost) in joint.items():
        da10, db10 = v10_a[a] - first_auc.value, v10_b[b] - second_auc.value
        da01, db01 = v01_a[a] - first_auc.value, v01_b[b] - second_auc.value
        s10 += won * (da10 - db10) ** 2
        s01 += lost * (da01 - db01) ** 2
    variance = s10 / (positives - 1) / positives + s01 / (negatives - 1) / negatives
    if variance <= 1e-15:
        return AucComparison(first_auc, second_auc, difference, None, None)
    z = difference / math.sqrt(variance)
    return AucComparison(first_auc, second_auc, difference, z, 2 * NormalDist().cdf(-abs(z)))


def roc_points(counts: Mapping[int, tuple[int, int]]) -> list[tuple[float, float]]:
    """The ROC curve: (false positive rate, true positive rate) at each threshold, from the highest score down."""
    positives = sum(won for won, _ in counts.values())
    negatives = sum(lost for _, lost in counts.values())
    if not positives or not negatives:
        return []
    points, won_above, lost_above = [(0.0, 0.0)], 0, 0
    for score in sorted(counts, reverse=True):
        won, lost = counts[score]
        won_above, lost_above = won_above + won, lost_above + lost
        points.append((lost_above / negatives, won_above / positives))
    return points


# Traits: share among the best against the rest


def proportion_test(best_with: int, best_total: int, rest_with: int, rest_total: int) -> float | None:
    """The two-sided p-value that a trait is as common among the best as among the rest.

    A two-proportion z-test with the pooled proportion (the same as Pearson's chi-square without
    continuity correction), or Fisher's exact test when any expected count is below 5.
    """
    if not best_total or not rest_total:
        return None
    having, total = best_with + rest_with, best_total + rest_total
    if having in (0, total):
        return 1.0
    expected = [
        best_total * having / total,
        best_total * (total - having) / total,
        rest_total * having / total,
        rest_total * (total - having) / total,
    ]
    if min(expected) < FISHER_BELOW:
        table = [[best_with, best_total - best_with], [rest_with, rest_total - rest_with]]
        return float(scipy_stats().fisher_exact(table).pvalue)
    pooled = having / total
    se = math.sqrt(pooled * (1 - pooled) * (1 / best_total + 1 / rest_total))
    z = (best_with / best_total - rest_with / rest_total) / se
    return two_sided_p(z)


def two_sided_p(z: float) -> float:
    """P(|Z| ≥ |z|) for a standard normal Z, accurate far in the tail (1 + erf(−x) cancels to 0 beyond z ≈ 8.3;
    erfc does not: z = 10 gives 1.5e-23, not 0), so that very strong traits still rank by their p."""
    return math.erfc(abs(z) / math.sqrt(2))


def false_discovery_q_values(p_values: list[float | None]) -> list[float | None]:
    """Benjamini–Hochberg adjusted p-values (q-values) of the tests made; None stays None."""
    made = [p for p in p_values if p is not None]
    if not made:
        return list(p_values)
    adjusted = iter(scipy_stats().false_discovery_control(made, method="bh").tolist())
    return [None if p is None else next(adjusted) for p in p_values]


def suggested_points(lift: float, lowest: int = -3, highest: int = 3) -> int:
    """Points for a criterion from a trait's lift: 2 · log2(lift), rounded, at least ±1, within the range.

    A trait twice as common among the best gets +2, three times or more +3 (at most), half as common −2,
    one none of the best has the lowest.
    """
    if lift <= 0:
        return lowest
    points = round(2 * math.log2(lift))
    if points == 0:
        points = 1 if lift > 1 else -1
    return max(lowest, min(highest, points))


def interaction_test(
    both: tuple[int, int], first_only: tuple[int, int], second_only: tuple[int, int], neither: tuple[int, int]
) -> tuple[float | None, float | None]:
    """Does having both of two traits change the odds of being among the best beyond what each alone does?

    Each argument is (best, everyone) of the customers with both traits, only the first, only the second,
    neither. The interaction is the ratio of odds ratios: the odds of the best with both, times with neither,
    over the odds with the first only, times with the second only (1: each trait acts alone, the pair adds
    nothing; above 1: together they do more). Tested on the log scale with Woolf's variance, the sum of
    1 / count over the eight counts (0.5 added to every count when one is 0): a Wald z-test, the same as the
    interaction term of a logistic regression on the two traits. Returns (the ratio, the two-sided p-value).
    """
    cells = [(best, everyone - best) for best, everyone in (both, first_only, second_only, neither)]
    if any(best + rest == 0 for best, rest in cells):
        return None, None
    if any(count == 0 for cell in cells for count in cell):
        cells = [(best + 0.5, rest + 0.5) for best, rest in cells]
    logits = [math.log(best / rest) for best, rest in cells]
    log_ratio = logits[0] - logits[1] - logits[2] + logits[3]
    se = math.sqrt(sum(1 / count for cell in cells for count in cell))
    return math.exp(log_ratio), two_sided_p(log_ratio / se)
