"""Similarity on a planted base: does it find the accounts like the won ones, and say why?"""

import math
import random

import numpy as np
import pytest

from customers.models import Customer
from lookalikes.features import COLUMNS, FEATURES, WIDTH, Encoding, encode_many, encoding_learn
from lookalikes.selectors import LookalikeFilters, SeedAccounts, lookalikes_find
from lookalikes.services import similarity_build_now
from lookalikes.similarity import (
    JOINT_CODES,
    OUT,
    because,
    best,
    groups_plan,
    joint_codes,
    seed_of,
    similarity,
    traits,
    unlike,
)
from lookalikes.tests.conftest import module_base

PLANTED_INDUSTRY = "Biotech"
PLANTED_TITLE = "Head of Research"
PLANTED_EMPLOYEES = (200, 499)
OTHER_INDUSTRIES = ["Software", "Retail", "Media", "Energy", "Logistics", "Education", "Healthcare", "Finance"]
OTHER_TITLES = ["VP Sales", "CFO", "IT Director", "Office Manager", "VP Marketing"]
COUNTRIES = [("Germany", "EMEA"), ("France", "EMEA"), ("United States", "North America"), ("Japan", "APAC")]


def _planted_base(size: int = 8_000, fit_share: float = 0.08, seed: int = 19) -> tuple[set[int], list[int]]:
    """A base where fit accounts (the three planted traits together) win 70% of their deals and the others 10%.

    Others have each planted trait with chance 15%, never all three; country, region and engagement are noise.
    A third of the accounts had a deal (won or lost); the others are prospects without one.
    Returns the fit accounts' ids and the won fit accounts' ids.
    """
    rng = random.Random(seed)
    rows, fit_flags = [], []
    for number in range(size):
        fit = rng.random() < fit_share
        traits_had = [True, True, True] if fit else [rng.random() < 0.15 for _ in range(3)]
        if not fit and all(traits_had):
            traits_had[rng.randrange(3)] = False
        country, region = rng.choice(COUNTRIES)
        titles = [rng.choice(OTHER_TITLES)]
        if traits_had[1]:
            titles.insert(rng.randrange(2), PLANTED_TITLE)
        decided = rng.random() < 1 / 3
        won = decided and rng.random() < (0.7 if fit else 0.1)
        rows.append(
            Customer(
                external_id=f"P-{number:05d}",
                name=f"Planted {number}",
                industry=PLANTED_INDUSTRY if traits_had[0] else rng.choice(OTHER_INDUSTRIES),
                country=country,
                region=region,
                employees=rng.randint(*PLANTED_EMPLOYEES)
                if traits_had[2]
                else rng.choice([rng.randint(5, 150), rng.randint(600, 5_000)]),
                annual_revenue=rng.randint(1_000_000, 90_000_000),
                contact_titles="; ".join(titles),
                lifecycle_stage=("customer" if won else "churned") if decided else "prospect",
                deal_outcome=("won" if won else "lost") if decided else "",
                website_visits_30d=rng.randint(0, 40),
                email_opens_30d=rng.randint(0, 20),
            )
        )
        fit_flags.append(fit)
    created = Customer.objects.bulk_create(rows, batch_size=2_000)
    fit_ids = {customer.pk for customer, fit in zip(created, fit_flags, strict=True) if fit}
    won_fit = [customer.pk for customer in created if customer.pk in fit_ids and customer.deal_outcome == "won"]
    return fit_ids, won_fit


def _planted_and_built():
    fit_ids, won_fit = _planted_base()
    return fit_ids, won_fit, similarity_build_now()


@pytest.fixture(scope="module")
def planted_base(django_db_setup, django_db_blocker):
    """The planted base and its model, built once for the module's tests (the slow part: 8,000 customers)."""
    yield from module_base(django_db_blocker, _planted_and_built)


@pytest.fixture
def planted(planted_base, db):
    return planted_base


def test_it_finds_planted_fit_accounts_among_the_undecided(planted):
    fit_ids, won_fit, _ = planted
    undecided = Customer.objects.filter(deal_outcome="")
    base_rate = undecided.filter(pk__in=fit_ids).count() / undecided.count()

    page = lookalikes_find(
        seed=SeedAccounts(label="won fit", customer_ids=tuple(won_fit)),
        filters=LookalikeFilters(prospects=True),
        per_page=500,
    )

    found = [result.customer.pk for result in page.results]
    assert base_rate < 0.10
    assert len(found) == 500
    assert all(result.customer.deal_outcome == "" for result in page.results)
    assert sum(pk in fit_ids for pk in found) / 500 >= 0.80
    for result in page.results[:20]:
        because = {trait.feature: trait for trait in result.because}
        assert set(because) == {"industry", "contact_titles", "employees"}, "the explanation names the planted traits"
        assert because["industry"].value == PLANTED_INDUSTRY
        assert because["contact_titles"].value == PLANTED_TITLE
        assert because["industry"].seed_value == PLANTED_INDUSTRY
        assert 200 <= int(because["employees"].value.replace(",", "")) < 500


def test_it_learns_the_planted_traits_and_ranks_from_every_won_deal(planted):
    _, _, model = planted
    weights = {weight["feature"]: weight for weight in model.weights}

    page = lookalikes_find(seed=SeedAccounts(label="won", won=True), filters=LookalikeFilters(), per_page=50)

    assert len(page.results) == 50
    assert all(result.customer.deal_outcome != "won" for result in page.results)
    assert [r.similarity for r in page.results] == sorted((r.similarity for r in page.results), reverse=True)
    planted_features = {"industry", "contact_titles", "employees"}
    assert all(weight["learned"] for weight in weights.values())
    assert model.won >= 30
    assert model.lost >= 30
    assert set(sorted(weights, key=lambda name: -weights[name]["weight"])[:3]) == planted_features
    assert sum(weights[name]["weight"] for name in planted_features) > 0.8


def _codes(rows):
    encoding = encoding_learn({"industry": [("Software", 3), ("Retail", 1)], "country": [("Germany", 2)]})
    return encoding, encode_many(rows, encoding).T


DEFAULT_WEIGHTS = {feature.name: feature.default_weight for feature in FEATURES}
SEED = {"industry": "Software", "country": "Germany", "employees": 250}


def test_a_missing_value_is_never_a_match():
    same = {"industry": "Software", "country": "Germany", "employees": 250}
    missing = {"industry": "", "country": "Germany", "employees": 250}
    other = {"industry": "Retail", "country": "Germany", "employees": 250}
    encoding, columns = _codes([SEED, same, missing, other])
    seed = seed_of(columns, np.array([0]), encoding=encoding, weights=DEFAULT_WEIGHTS)

    scores = similarity(columns, seed)

    assert scores[1] == pytest.approx(100)
    assert scores[2] < scores[1]
    assert scores[2] == pytest.approx(scores[3]), "no data counts as little as another value, never as a match"
    found = traits(columns[:, 2], seed)
    assert unlike(found, seed).feature == "industry"
    assert next(trait for trait in found if trait.feature == "industry").part == 0


def test_a_band_next_to_the_seeds_is_a_reason_or_the_main_difference_never_both():
    near = {"industry": "Software", "country": "Germany", "employees": 150}  # the band next to the seed's 250
    encoding, columns = _codes([SEED, near])
    seed = seed_of(columns, np.array([0]), encoding=encoding, weights=DEFAULT_WEIGHTS)

    found = traits(columns[:, 1], seed)

    assert "employees" in {trait.feature for trait in because(found)}, "the next band gives part of the similarity"
    assert unlike(found, seed) is None, "nothing else differs: the same trait is not also the main difference"


def test_two_accounts_both_missing_a_value_do_not_match_on_it():
    seed_row = {"industry": "", "country": "Germany", "employees": 250}
    also_missing = {"industry": "", "country": "Germany", "employees": 250}
    encoding, columns = _codes([seed_row, also_missing])
    seed = seed_of(columns, np.array([0]), encoding=encoding, weights=DEFAULT_WEIGHTS)

    found = traits(columns[:, 1], seed)

    assert "industry" not in {trait.feature for trait in found}, "the seed has no industry: it is not compared"
    assert similarity(columns, seed)[1] == pytest.approx(100)


def _reference(columns, seed):
    """Similarity as the docstring says it: per feature, the best of its columns' table values, weighted."""
    total = seed.total_weight
    scores = np.zeros(columns.shape[1])
    for name, weight in seed.weights.items():
        values = np.max([seed.tables[name][columns[column]] for column in COLUMNS[name]], axis=0)
        scores += 100 * weight / total * values
    return scores


@pytest.mark.parametrize("title_values", [10, 60], ids=["titles-in-a-joint-code", "titles-looked-up-loose"])
def test_joint_codes_score_as_one_look_up_per_feature(title_values):
    rng = np.random.default_rng(19)
    values = {"industry": 8, "country": 12, "region": 5, "contact_titles": title_values}
    encoding = Encoding(values={name: tuple(f"{name} {i}" for i in range(count)) for name, count in values.items()})
    sizes = encoding.sizes()
    columns = np.zeros((WIDTH, 5_000), dtype=np.int16)
    for name, size in sizes.items():
        for column in COLUMNS[name]:
            columns[column] = rng.integers(0, size, 5_000)
    weights = {feature.name: float(rng.random()) for feature in FEATURES}
    seed = seed_of(columns, rng.choice(5_000, 40, replace=False), encoding=encoding, weights=weights)
    groups = groups_plan(sizes)

    scores = similarity(columns, seed, groups=groups, joint=joint_codes(columns, groups))

    assert [group.joint for group in groups if "contact_titles" in group.features] == [title_values == 10]
    assert len(groups) < len(FEATURES)
    assert all(math.prod(group.sizes) <= JOINT_CODES for group in groups if group.joint)
    np.testing.assert_allclose(scores, _reference(columns, seed), rtol=1e-5, atol=1e-4)


def test_accounts_left_out_score_below_any_other_and_a_zero_stays_zero():
    encoding, columns = _codes([SEED, {"industry": "Retail"}, SEED, {"industry": "Retail"}])
    seed = seed_of(columns, np.array([0]), encoding=encoding, weights=DEFAULT_WEIGHTS)

    scores = similarity(columns, seed, kept=np.array([True, True, False, False]))

    assert scores[0] == pytest.approx(100)
    assert scores[1] == 0
    assert scores[2] == scores[3] == OUT < 0


def test_the_best_come_best_first_ties_by_position_and_never_those_left_out():
    scores = np.array([5, 9, OUT, 9, 7, 9, 0, OUT], dtype=np.float32)

    assert best(scores, 4).tolist() == [1, 3, 5, 4]
    assert best(scores, 2).tolist() == [1, 3], "a tie goes to the lower position: the lower customer id"
    assert best(scores, 100).tolist() == [1, 3, 5, 4, 0, 6]


def test_the_best_of_a_million_are_those_a_full_sort_finds():
    rng = np.random.default_rng(7)
    scores = rng.integers(0, 400, 1_000_000).astype(np.float32) / 4  # many ties
    scores[rng.random(1_000_000) < 0.3] = OUT

    for count in (1, 51, 1_001):
        expected = np.lexsort((np.arange(len(scores)), -scores))[:count]
        assert best(scores, count).tolist() == expected.tolist()
