"""Similarity to a seed, over every customer's codes at once (numpy; no Django here).

1. The seed (one account or many) becomes a table per feature: for each code, how like the seed that value is,
   from 0 to 1. A category's value counts as often as the seeds have it, relative to their most common value
   (one seed: 1 for its value, 0 for the others); a number's band counts for the seeds in it and, less, for
   those in the bands next to it; a contact title for the seeds that have it. "No data" and a value the encoding
   does not know are 0 whatever the seed: a missing value is never a match.
2. A customer's similarity is the weighted mean of its features' table values, over the features the seed has
   data for, times 100. Each feature's weight is learned from won and lost deals (``weights_learn``).
3. The ranking is exact: every customer is scored, then the best are picked with ``argpartition``; ties are
   broken by customer id, so pages never overlap.

Scoring a million customers is a few table look-ups per customer, so it is the look-ups that cost. Features
are scored in groups (``groups_plan``): the codes of a group's columns are combined into one joint code per
customer (``joint_codes``, once, when the matrix is read), and each search turns the seed's tables into one
table of every combination (``joint_table``, at most 65,536 values), so a customer costs one look-up per
group (three or four) instead of one per column (fifteen).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .features import BY_NAME, COLUMNS, FEATURES, FIRST_VALUE, NO_DATA, NUMBER, OUTCOME, OUTCOMES, Encoding

NEIGHBOUR_BANDS = (1.0, 0.5, 0.15)  # how much a band counts for a seed in it, one band off, two bands off
MIN_DEALS = 30  # won and lost deals each, to learn the weights from them
JOINT_CODES = 1 << 16  # combinations a group's joint code may have: it fits in an uint16, its table in L2 cache
JOINT_TYPE = np.dtype(np.uint16)
BLOCK = 1 << 15  # customers scored at a time (their look-up indexes, 256 KB, stay in cache)
OUT = np.float32(-1)  # the score of an account left out (the seed's own, those a filter drops): below any other
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


@dataclass(frozen=True)
class Group:
    """Features scored with one look-up per customer: their columns' codes combined into a joint code.

    ``joint`` is False for a feature whose columns alone have more combinations than JOINT_CODES (contact titles
    with a long list of values): it is scored a look-up per column, as the best of them.
    """

    features: tuple[str, ...]
    columns: tuple[int, ...]
    sizes: tuple[int, ...]  # codes per column
    joint: bool = True


def groups_plan(sizes: Mapping[str, int]) -> tuple[Group, ...]:
    """The features (in FEATURES order) in groups of consecutive ones whose joint codes fit in JOINT_CODES.
    ``sizes`` gives each feature's number of codes (``Encoding.size``)."""
    groups: list[Group] = []
    features: list[str] = []
    columns: list[int] = []
    column_sizes: list[int] = []

    def close():
        if features:
            groups.append(Group(tuple(features), tuple(columns), tuple(column_sizes)))
            features.clear(), columns.clear(), column_sizes.clear()

    for feature in FEATURES:
        own = COLUMNS[feature.name]
        size = max(int(sizes[feature.name]), 1)
        if size ** len(own) > JOINT_CODES:
            close()
            groups.append(Group((feature.name,), own, (size,) * len(own), joint=False))
            continue
        if math.prod(column_sizes) * size ** len(own) > JOINT_CODES:
            close()
        features.append(feature.name)
        columns.extend(own)
        column_sizes.extend([size] * len(own))
    close()
    return tuple(groups)


def joint_codes(columns: np.ndarray, groups: tuple[Group, ...]) -> np.ndarray:
    """Each customer's joint code per joint group, a (len(groups), n) uint16 matrix (0 for the other groups).
    ``columns`` is the (width, n) code matrix."""
    joint = np.zeros((len(groups), columns.shape[1]), dtype=JOINT_TYPE)
    for row, group in enumerate(groups):
        if not group.joint:
            continue
        code = np.zeros(columns.shape[1], dtype=np.int32)
        for column, size in zip(group.columns, group.sizes, strict=True):
            code *= size
            code += columns[column]
        joint[row] = code
    return joint


def joint_table(group: Group, seed: Seed) -> np.ndarray | None:
    """How much each combination of the group's codes gives the similarity (flat, as joint codes index it);
    None when no feature of the group counts for this seed."""
    total = seed.total_weight
    counted = [name for name in group.features if name in seed.weights]
    if total <= 0 or not counted:
        return None
    table = np.zeros(group.sizes, dtype=np.float32)
    axes = len(group.sizes)
    for name in counted:
        values = seed.tables[name] * np.float32(100 * seed.weights[name] / total)
        part = None
        for column in COLUMNS[name]:
            axis = group.columns.index(column)
            shape = [1] * axes
            shape[axis] = len(values)
            spread = values.reshape(shape)
            part = spread if part is None else np.maximum(part, spread)
        table += part
    return table.ravel()


def similarity(
    columns: np.ndarray, seed: Seed, *, groups=None, joint=None, kept: np.ndarray | None = None
) -> np.ndarray:
    """Every customer's similarity to the seed, 0 to 100 (float32), and OUT for those ``kept`` (a bool per
    customer, when given) leaves out. ``columns`` is the (width, n) code matrix; ``groups`` and ``joint`` are its
    groups and joint codes when the caller keeps them (else made here).

    1. Each group's table (``joint_table``), or, for a loose feature, its table scaled by its weight.
    2. Block by block of BLOCK customers: their codes as indexes (in cache, not a million at a time), one
       look-up per group (the best of its columns for a loose feature), summed; those left out multiplied by 0.
    3. Those left out become OUT. The others were raised by 1 (in the first table, which costs nothing), so
       that a similarity of 0 stays apart from them; the 1 is taken off again.
    """
    if groups is None:
        groups = groups_plan({name: len(table) for name, table in seed.tables.items()})
        joint = joint_codes(columns, groups)
    lookups: list[tuple[np.ndarray, list[np.ndarray]]] = []  # a table, and the codes that read it
    for row, group in enumerate(groups):
        if group.joint:
            table = joint_table(group, seed)
            if table is not None:
                lookups.append((table, [joint[row]]))
        elif group.features[0] in seed.weights:
            name = group.features[0]
            table = seed.tables[name] * np.float32(100 * seed.weights[name] / seed.total_weight)
            lookups.append((table, [columns[column] for column in group.columns]))
    count = columns.shape[1]
    offset = np.float32(1 if kept is not None else 0)
    if not lookups:
        lookups.append((np.zeros(1, dtype=np.float32), [np.zeros(count, dtype=np.uint8)]))
    lookups[0] = (lookups[0][0] + offset, lookups[0][1])
    scores = np.empty(count, dtype=np.float32)
    index = np.empty(BLOCK, dtype=np.intp)
    part, other = np.empty(BLOCK, dtype=np.float32), np.empty(BLOCK, dtype=np.float32)
    for start in range(0, count, BLOCK):
        stop = min(start + BLOCK, count)
        at, sum_, found, also = index[: stop - start], scores[start:stop], part[: stop - start], other[: stop - start]
        for number, (table, codes) in enumerate(lookups):
            into = sum_ if number == 0 else found
            at[...] = codes[0][start:stop]
            np.take(table, at, out=into)
            for more in codes[1:]:
                at[...] = more[start:stop]
                np.take(table, at, out=also)
                np.maximum(into, also, out=into)
            if number:
                sum_ += found
        if kept is not None:
            sum_ *= kept[start:stop]
    if kept is not None:
        scores -= 1
    return scores


def best(scores: np.ndarray, count: int) -> np.ndarray:
    """Positions of the ``count`` best scores, best first; OUT (or any score below 0) never comes. Positions are
    in customer id order (the matrix keeps its ids ascending), so ties go to the lower position, that is the lower
    customer id."""
    candidates = _candidates(scores, count)
    values = scores[candidates]
    count = min(count, int(np.count_nonzero(values >= 0)))
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    cut = np.argpartition(values, len(values) - count)[len(values) - count :]
    threshold = values[cut].min()
    above = cut[values[cut] > threshold]
    tied = np.flatnonzero(values == threshold)[: count - len(above)]
    chosen = candidates[np.concatenate([above, tied])]
    order = np.lexsort((chosen, -scores[chosen]))
    return chosen[order]


SAMPLE_STEP = 64


def _candidates(scores: np.ndarray, count: int) -> np.ndarray:
    """Ascending positions that hold every score as good as the ``count``-th best: those at or above a threshold
    guessed from every SAMPLE_STEP-th score (a few times ``count`` of them), or all when the guess keeps too few.
    Partitioning those is much cheaper than partitioning a million."""
    everyone = np.arange(len(scores))
    wanted = 4 * count // SAMPLE_STEP + 1
    sample = scores[::SAMPLE_STEP]
    if len(sample) <= 4 * wanted:
        return everyone
    threshold = np.partition(sample, len(sample) - wanted)[len(sample) - wanted]
    if threshold < 0:
        return everyone
    candidates = np.flatnonzero(scores >= threshold)
    return candidates if len(candidates) >= count else everyone


@dataclass(frozen=True)
class Trait:
    feature: str
    label: str
    code: int
    share: float  # the table's value for it: 1 is the seed's own (or most common) value
    part: float  # points of similarity it gives


def traits(codes: np.ndarray, seed: Seed) -> list[Trait]:
    """What each feature gives one account's similarity (``codes`` is its row), biggest part first."""
    return traits_many(codes.reshape(-1, 1), seed)[0]


def traits_many(codes: np.ndarray, seed: Seed) -> list[list[Trait]]:
    """``traits`` of several accounts at once: ``codes`` are their columns, (width, accounts)."""
    total = seed.total_weight
    accounts = np.arange(codes.shape[1])
    found: list[list[Trait]] = [[] for _ in accounts]
    for name, weight in seed.weights.items():
        feature_codes = codes[list(COLUMNS[name])].astype(np.intp)
        values = seed.tables[name][feature_codes]
        best_column = values.argmax(axis=0)  # the contact title most like the seed's: the first if several are
        chosen = feature_codes[best_column, accounts].tolist()
        shares = values[best_column, accounts].tolist()
        label = BY_NAME[name].label
        for account, (code, share) in enumerate(zip(chosen, shares, strict=True)):
            found[account].append(Trait(name, label, code, share, 100 * weight * share / total))
    return [sorted(account, key=lambda trait: -trait.part) for account in found]


def because(found: list[Trait], count: int = 3) -> list[Trait]:
    """The (up to) three traits that make the account similar: those that give the most, a match only."""
    return [trait for trait in found if trait.part > 0][:count]


def unlike(found: list[Trait], seed: Seed) -> Trait | None:
    """The main difference: the feature whose mismatch costs the most similarity (a missing value included), among
    those not already given as a reason (a band next to the seed's both gives and costs: it is not both)."""
    total = seed.total_weight
    reasons = {trait.feature for trait in because(found)}
    costs = [
        (seed.weights[trait.feature] * (1 - trait.share) / total, trait)
        for trait in found
        if trait.feature not in reasons
    ]
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
