"""Similarity to a seed, over every customer's codes at once (numpy; no Django here).

1. The seed (one account or many) becomes a table per feature: for each code, how like the seed that value is,
   from 0 to 1. A category's value counts as often as the seeds have it, relative to their most common value
   (one seed: 1 for its value, 0 for the others); a number's band counts for the seeds in it and, less, for
   those in the bands next to it; a contact title for the seeds that have it. "No data" and a value the encoding
   does not know are 0 whatever the seed: a missing value is never a match.
2. A customer's similarity is the weighted mean of its features' table values, over the features the seed has
   data for, times 100. Each feature's weight is learned from won and lost deals (``weights_learn``).
3. The ranking is exact: every customer is scored (a gather per column and a sum), then the best are picked with
   ``argpartition``; ties are broken by customer id, so pages never overlap.
"""

import math
from dataclasses import dataclass

import numpy as np

from .features import BY_NAME, COLUMNS, FEATURES, FIRST_VALUE, NO_DATA, NUMBER, OUTCOME, OUTCOMES, Encoding

NEIGHBOUR_BANDS = (1.0, 0.5, 0.15)  # how much a band counts for a seed in it, one band off, two bands off
MIN_DEALS = 30  # won and lost deals each, to learn the weights from them
WON, LOST = OUTCOMES.index("won") + 1, OUTCOMES.index("lost") + 1


@dataclass(frozen=True)
class Seed:
    """What a seed's accounts are like: each feature's table (value per code), and the weights it uses."""

    tables: dict[str, np.ndarray]
    weights: dict[str, float]  # the features the seed has data for, with their weights
    accounts: int

    @property
    def total_weight(self) -> float:
        return sum(self.weights.values())


def seed_of(columns: np.ndarray, positions: np.ndarray, *, encoding: Encoding, weights: dict[str, float]) -> Seed:
    """The seed made of the accounts at ``positions`` of the (width, n) code matrix."""
    tables, used = {}, {}
    for feature in FEATURES:
        size = encoding.size(feature.name)
        counts = np.zeros(size, dtype=np.float64)
        for column in COLUMNS[feature.name]:
            counts += np.bincount(columns[column][positions], minlength=size)[:size]
        counts[:FIRST_VALUE] = 0
        if feature.kind == NUMBER:
            counts = _spread(counts)
        table = np.zeros(size, dtype=np.float32)
        if counts.max(initial=0) > 0:
            table = (counts / counts.max()).astype(np.float32)
            if weights.get(feature.name, 0) > 0:
                used[feature.name] = weights[feature.name]
        tables[feature.name] = table
    return Seed(tables=tables, weights=used, accounts=len(positions))


def _spread(counts: np.ndarray) -> np.ndarray:
    """Each band's seeds counted in the bands next to it too, less."""
    spread = np.zeros_like(counts)
    bands = counts[FIRST_VALUE:]
    for distance, share in enumerate(NEIGHBOUR_BANDS):
        if distance == 0:
            spread[FIRST_VALUE:] += bands * share
            continue
        spread[FIRST_VALUE + distance :] += bands[:-distance] * share
        spread[FIRST_VALUE : len(counts) - distance] += bands[distance:] * share
    return spread


def similarity(columns: np.ndarray, seed: Seed) -> np.ndarray:
    """Every customer's similarity to the seed, 0 to 100 (float32). ``columns`` is the (width, n) code matrix."""
    scores = np.zeros(columns.shape[1], dtype=np.float32)
    total = seed.total_weight
    if total <= 0:
        return scores
    for name, weight in seed.weights.items():
        table = seed.tables[name] * np.float32(100 * weight / total)
        feature_columns = COLUMNS[name]
        part = table[columns[feature_columns[0]]]
        for column in feature_columns[1:]:
            np.maximum(part, table[columns[column]], out=part)
        scores += part
    return scores


def best(scores: np.ndarray, ids: np.ndarray, count: int) -> np.ndarray:
    """Positions of the ``count`` best scores, best first, ties by the lower customer id; -inf never comes."""
    count = min(count, int(np.isfinite(scores).sum()))
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    if count < len(scores):
        cut = np.argpartition(-scores, count - 1)[:count]
        threshold = scores[cut].min()
        above = np.flatnonzero(scores > threshold)
        tied = np.flatnonzero(scores == threshold)
        tied = tied[np.argsort(ids[tied], kind="stable")][: count - len(above)]
        chosen = np.concatenate([above, tied])
    else:
        chosen = np.flatnonzero(np.isfinite(scores))
    order = np.lexsort((ids[chosen], -scores[chosen]))
    return chosen[order]


@dataclass(frozen=True)
class Trait:
    feature: str
    label: str
    code: int
    share: float  # the table's value for it: 1 is the seed's own (or most common) value
    part: float  # points of similarity it gives


def traits(codes: np.ndarray, seed: Seed) -> list[Trait]:
    """What each feature gives one account's similarity (``codes`` is its row), biggest part first."""
    total = seed.total_weight
    found = []
    for name, weight in seed.weights.items():
        table = seed.tables[name]
        values = [int(codes[column]) for column in COLUMNS[name]]
        code = max(values, key=lambda value: table[value])
        found.append(Trait(name, BY_NAME[name].label, code, float(table[code]), 100 * weight * table[code] / total))
    return sorted(found, key=lambda trait: -trait.part)


def because(found: list[Trait], count: int = 3) -> list[Trait]:
    """The (up to) three traits that make the account similar: those that give the most, a match only."""
    return [trait for trait in found if trait.part > 0][:count]


def unlike(found: list[Trait], seed: Seed) -> Trait | None:
    """The main difference: the feature whose mismatch costs the most similarity (a missing value included)."""
    total = seed.total_weight
    costs = [(seed.weights[trait.feature] * (1 - trait.share) / total, trait) for trait in found]
    costs = [(cost, trait) for cost, trait in costs if cost > 1e-6]
    return max(costs, key=lambda item: item[0])[1] if costs else None


def seed_value(seed: Seed, encoding: Encoding, name: str) -> str | None:
    """The seed's most common value of a feature (its own for one account), as text."""
    table = seed.tables[name]
    if table.max(initial=0) <= 0:
        return None
    return encoding.value_of(name, int(np.argmax(table)))


@dataclass(frozen=True)
class LearnedWeight:
    feature: str
    weight: float  # share of the total, 0..1
    learned: bool
    information: float  # bits of mutual information with won/lost, less its bias
    deals: int  # won and lost deals with a value for it
    best_code: int  # the value with the highest win rate (NO_DATA when none)
    best_win_rate: float
    win_rate: float  # over every deal with a value


def outcome_counts(codes: np.ndarray) -> dict[str, np.ndarray]:
    """Per feature, a (codes, 2) table of won and lost deals; summed over chunks of the base before learning."""
    outcomes = codes[:, OUTCOME]
    decided = codes[(outcomes == WON) | (outcomes == LOST)]
    won = decided[:, OUTCOME] == WON
    counts = {}
    for feature in FEATURES:
        column = decided[:, COLUMNS[feature.name][0]].astype(np.int64)
        counts[feature.name] = _table(column, won)
    return counts


def _table(column: np.ndarray, won: np.ndarray) -> np.ndarray:
    size = int(column.max(initial=0)) + 1
    return np.stack([np.bincount(column[won], minlength=size), np.bincount(column[~won], minlength=size)], axis=-1)


def counts_add(total: dict[str, np.ndarray], more: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    merged = dict(total)
    for name, table in more.items():
        before = merged.get(name, np.zeros((0, 2), dtype=np.int64))
        size = max(len(before), len(table))
        padded = np.zeros((size, 2), dtype=np.int64)
        padded[: len(before)] += before
        padded[: len(table)] += table
        merged[name] = padded
    return merged


def weights_learn(counts: dict[str, np.ndarray]) -> list[LearnedWeight]:
    """Each feature's weight: how much knowing its value tells a won deal from a lost one.

    1. Per feature, the won and lost deals by value (no data and unknown values left out).
    2. The mutual information between value and outcome, in bits, less what chance alone gives a feature with
       that many values ((values - 1) / (2 n ln 2)), never below 0.
    3. The weights are those, each as a share of their sum. With fewer than MIN_DEALS won or lost deals, or when
       no feature tells them apart, the default weights (``Feature.default_weight``) stand.
    """
    learned = []
    for feature in FEATURES:
        table = counts.get(feature.name, np.zeros((0, 2)))[FIRST_VALUE:].astype(np.float64)
        table = table[table.sum(axis=1) > 0]
        deals = int(table.sum())
        won = table[:, 0].sum() if deals else 0
        information = _information(table) if deals else 0.0
        rates = table[:, 0] / np.maximum(table.sum(axis=1), 1)
        enough = table.sum(axis=1) >= 10
        best_index = int(np.argmax(np.where(enough, rates, -1))) if enough.any() else -1
        codes_known = np.flatnonzero(counts.get(feature.name, np.zeros((0, 2)))[FIRST_VALUE:].sum(axis=1) > 0)
        learned.append(
            LearnedWeight(
                feature=feature.name,
                weight=0.0,
                learned=False,
                information=information,
                deals=deals,
                best_code=int(codes_known[best_index]) + FIRST_VALUE if best_index >= 0 else NO_DATA,
                best_win_rate=float(rates[best_index]) if best_index >= 0 else 0.0,
                win_rate=float(won / deals) if deals else 0.0,
            )
        )
    wins = int(counts[FEATURES[0].name][:, 0].sum()) if counts else 0
    losses = int(counts[FEATURES[0].name][:, 1].sum()) if counts else 0
    informative = sum(weight.information for weight in learned)
    if min(wins, losses) >= MIN_DEALS and informative > 0:
        return [_with(weight, weight.information / informative, True) for weight in learned]
    defaults = sum(feature.default_weight for feature in FEATURES)
    return [_with(weight, BY_NAME[weight.feature].default_weight / defaults, False) for weight in learned]


def _with(weight: LearnedWeight, share: float, learned: bool) -> LearnedWeight:
    return LearnedWeight(**{**weight.__dict__, "weight": share, "learned": learned})


def _information(table: np.ndarray) -> float:
    n = table.sum()
    if n <= 0 or len(table) < 2:
        return 0.0
    joint = table / n
    by_value = joint.sum(axis=1, keepdims=True)
    by_outcome = joint.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(joint > 0, joint * np.log2(joint / (by_value * by_outcome)), 0.0)
    bias = (len(table) - 1) / (2 * n * math.log(2))
    return max(float(terms.sum()) - bias, 0.0)
