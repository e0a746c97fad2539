"""Sets of values, bands of numbers and pairs, on a planted ICP with exact counts (factories.planted_grid):
fit = Software or Healthcare AND 200 to 2,000 employees AND Germany, France, Spain or Italy."""

import pytest
from django.db.models import Q

from analytics.suggestions import criteria_suggest
from analytics.trait_bands import number_counts
from analytics.trait_types import ATTRIBUTES, Band
from analytics.traits import BASES, _value_expression, traits_discover
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from profiles.models import Profile
from rubrics.models import Rubric

from .factories import (
    FIT_COUNTRIES,
    FIT_EMPLOYEES,
    FIT_INDUSTRIES,
    GRID_COUNTRIES,
    GRID_DEALS,
    GRID_EMPLOYEES,
    GRID_INDUSTRIES,
    fits,
    planted_grid,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def grid(django_db_setup, django_db_blocker):
    """The grid's discovery for won deals, computed once for the module (the tests only read it)."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            planted_grid()
            rubric = Rubric.objects.create(profile=Profile.objects.create(name="Grid"), name="Fit")
            discovery = traits_discover(rubric=rubric, basis=BASES["won"])
            transaction.set_rollback(True)
    return discovery


def _by_hand(having) -> tuple[int, int]:
    """(won, decided) among the grid's deals whose (industry, country, employees) pass ``having``."""
    won = decided = 0
    for industry in GRID_INDUSTRIES:
        for country in GRID_COUNTRIES:
            for employees in GRID_EMPLOYEES:
                if having(industry, country, employees):
                    won += 6 if fits(industry, country, employees) else 2
                    decided += GRID_DEALS
    return won, decided


def _combined(discovery, field):
    return next(trait for trait in discovery.combined if trait.attribute.field == field)


def test_it_finds_the_four_planted_countries_as_one_set(grid):
    countries = _combined(grid, "country")

    assert set(countries.key) == set(FIT_COUNTRIES)
    assert countries.kind == "set"
    assert countries.significant
    assert (countries.best, countries.everyone) == _by_hand(lambda i, country, e: country in FIT_COUNTRIES)
    assert (countries.best_total, countries.everyone_total) == _by_hand(lambda *_: True)
    # Chosen among every subset of the ten countries: its p is corrected for that, far above its own test's.
    assert countries.candidates == 2**10 - 2
    assert countries.p_value > 10 * countries.raw_p_value


def test_it_finds_no_planted_country_significant_alone(grid):
    alone = [trait for trait in grid.traits if trait.attribute.field == "country" and trait.key in FIT_COUNTRIES]

    assert len(alone) == 4
    assert all(trait.lift > 1 and not trait.significant for trait in alone)
    assert all(trait.q_value >= 0.05 for trait in alone)


def test_it_finds_the_planted_band_of_employees_by_its_edges(grid):
    employees = _combined(grid, "employees")

    assert employees.key == Band(200, 2_000)
    assert employees.value == "between 200 and 2,000"
    assert employees.significant
    assert (employees.best, employees.everyone) == _by_hand(lambda i, c, size: 200 <= size <= 2_000)
    # Eight values, each its own bin: 36 runs of bins but the whole.
    assert employees.candidates == 35
    # The fixed buckets cut the band in two: 200 to 999, and 2,000 in 2,000 to 4,999 with 2,001 and 3,500.
    buckets = {trait.value for trait in grid.traits if trait.attribute.field == "employees"}
    assert {"200 to 999", "2,000 to 4,999"} <= buckets


def test_it_finds_the_two_planted_industries_as_one_set(grid):
    industries = _combined(grid, "industry")

    assert set(industries.key) == set(FIT_INDUSTRIES)
    assert industries.significant


def test_it_finds_that_the_planted_traits_matter_together(grid):
    pairs = {(pair.first.attribute.field, pair.second.attribute.field): pair for pair in grid.significant_pairs}

    assert {frozenset(fields) for fields in pairs} == {
        frozenset({"industry", "employees"}),
        frozenset({"industry", "country"}),
        frozenset({"employees", "country"}),
    }
    pair = next(pair for fields, pair in pairs.items() if set(fields) == {"industry", "employees"})
    assert pair.together == "more"
    assert pair.odds_ratio > 2
    industry = pair.first if pair.first.attribute.field == "industry" else pair.second
    assert set(industry.key) == set(FIT_INDUSTRIES)

    def has_industry(i, c, e):
        return i in FIT_INDUSTRIES

    def has_band(i, c, e):
        return FIT_EMPLOYEES[0] <= e <= FIT_EMPLOYEES[1]

    first, second = (has_industry, has_band) if pair.first is industry else (has_band, has_industry)
    cells = (pair.both, pair.first_only, pair.second_only, pair.neither)
    assert [(cell.best, cell.everyone) for cell in cells] == [
        _by_hand(lambda *row: first(*row) and second(*row)),
        _by_hand(lambda *row: first(*row) and not second(*row)),
        _by_hand(lambda *row: not first(*row) and second(*row)),
        _by_hand(lambda *row: not first(*row) and not second(*row)),
    ]


def test_it_suggests_one_criterion_per_planted_trait(grid):
    suggestions = {(s.field, s.operator): s for s in criteria_suggest(grid) if s.points > 0}

    assert set(suggestions["country", "in"].values) == set(FIT_COUNTRIES)
    assert set(suggestions["industry", "in"].values) == set(FIT_INDUSTRIES)
    assert suggestions["employees", "between"].values == (200, 2_000)
    assert suggestions["country", "in"].rule.startswith("country is one of ")
    assert (suggestions["employees", "between"].best, suggestions["employees", "between"].everyone) == _by_hand(
        lambda i, c, size: 200 <= size <= 2_000
    )


def test_it_bins_whole_values_and_leaves_customers_with_no_value_out(db):
    for employees, won in [(10, True), (10, False), (20, True), (60, False), (None, True), (None, False)]:
        CustomerFactory(employees=employees, deal_outcome="won" if won else "lost")
    attribute = next(attribute for attribute in ATTRIBUTES if attribute.field == "employees")

    counts = number_counts(Customer.objects.all(), "employees", Q(deal_outcome="won"), _value_expression(attribute))

    # Four with a value: the bins start at 0, 2 and 3 of them below, so 0, 32 and 48 of 64; ties stay together
    # and the two with no value (sorted first by SQLite, last by PostgreSQL) are in no bin.
    assert [(b.low, b.high, b.everyone, b.best) for b in counts.bins] == [
        (10, 10, 2, 1),
        (20, 20, 1, 1),
        (60, 60, 1, 0),
    ]
    assert counts.buckets == {-1: [2, 1], 1: [3, 2], 2: [1, 0]}  # no data, 10 to 49, 50 to 199


def test_it_cuts_the_quantile_bins_among_the_customers_with_a_value(db):
    Customer.objects.bulk_create(
        Customer(external_id=f"Q-{number}", name=f"Q {number}", employees=number if number <= 100 else None)
        for number in range(1, 201)
    )
    attribute = next(attribute for attribute in ATTRIBUTES if attribute.field == "employees")

    counts = number_counts(Customer.objects.all(), "employees", Q(pk__in=[]), _value_expression(attribute))

    # 100 values, one customer each, in 64 bins: value v goes to bin (v - 1) · 64 // 100. The 100 with no value
    # neither widen the bins nor shift them.
    expected = {}
    for value in range(1, 101):
        expected.setdefault((value - 1) * 64 // 100, []).append(value)
    assert [(b.low, b.high, b.everyone) for b in counts.bins] == [
        (values[0], values[-1], len(values)) for _, values in sorted(expected.items())
    ]
    assert len(counts.bins) == 64


def test_it_has_no_bin_for_a_number_nobody_has(db):
    for won in (True, False, False):
        CustomerFactory(employees=None, deal_outcome="won" if won else "lost")
    attribute = next(attribute for attribute in ATTRIBUTES if attribute.field == "employees")

    counts = number_counts(Customer.objects.all(), "employees", Q(deal_outcome="won"), _value_expression(attribute))

    assert (counts.bins, counts.buckets) == ([], {-1: [3, 1]})
