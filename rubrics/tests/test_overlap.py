"""Same rule, and overlapping rules: table-driven, no database."""

import pytest

from rubrics import scoring
from rubrics.overlap import overlapping, rules_overlap, same_rule


def rule(field: str, operator: str, *values, kind: str = "category", bands=()) -> scoring.Criterion:
    return scoring.Criterion(
        id=0,
        field=field,
        kind=kind,
        operator=operator,
        values=values,
        points=1,
        bands=tuple(scoring.Band(points=1, min=low, max=high) for low, high in bands),
    )


def number(operator: str, *values, bands=()) -> scoring.Criterion:
    return rule("employees", operator, *values, kind="number", bands=bands)


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (rule("industry", "in", "Software", "SaaS"), rule("industry", "in", "saas", "SOFTWARE"), True),
        (rule("industry", "in", "Software"), rule("industry", "in", "Software", "SaaS"), False),
        (rule("industry", "in", "Software"), rule("industry", "not_in", "Software"), False),
        (rule("industry", "in", "Software"), rule("country", "in", "Software"), False),
        (number("between", 200, 2000), number("between", 200, 2000), True),
        (number("bands", bands=[(1, 9), (10, None)]), number("bands", bands=[(1, 9), (10, None)]), True),
    ],
)
def test_it_knows_the_same_rule_whatever_the_order_and_case_of_its_values(first, second, same):
    assert same_rule(first, second) is same


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        # The case a workshop met: Software scored twice.
        (rule("industry", "in", "Software"), rule("industry", "in", "Software", "Financial Services"), True),
        (rule("industry", "in", "Retail"), rule("industry", "in", "Software", "Financial Services"), False),
        (rule("industry", "in", "Retail"), rule("country", "in", "Retail"), False),
        (rule("industry", "not_in", "Retail"), rule("industry", "in", "Software"), True),
        (rule("industry", "not_in", "Retail", "Software"), rule("industry", "in", "software"), False),
        (rule("industry", "not_in", "Retail"), rule("industry", "not_in", "Software"), True),
        (rule("industry", "empty"), rule("industry", "in", "Software"), False),
        (rule("industry", "empty"), rule("industry", "empty"), True),
        (
            rule("contact_titles", "contains_any", "Marketing", kind="text"),
            rule("contact_titles", "contains_any", "Head of marketing", kind="text"),
            True,
        ),
        (
            rule("contact_titles", "contains_any", "CFO", kind="text"),
            rule("contact_titles", "contains_any", "Marketing", kind="text"),
            False,
        ),
        (number("gte", 200), number("between", 50, 199), False),
        (number("gte", 200), number("between", 50, 200), True),
        (number("lte", 49), number("gte", 50), False),
        (number("bands", bands=[(1, 9), (10, None)]), number("gte", 1000), True),
        (number("bands", bands=[(1, 9), (20, 29)]), number("between", 10, 19), False),
        (rule("has_case_study", "true", kind="boolean"), rule("has_case_study", "true", kind="boolean"), True),
        (rule("has_case_study", "true", kind="boolean"), rule("has_case_study", "false", kind="boolean"), False),
    ],
)
def test_it_knows_when_two_rules_would_score_some_customers_twice(first, second, overlap):
    assert rules_overlap(first, second) is overlap
    assert rules_overlap(second, first) is overlap


def test_it_lists_the_overlapping_criteria_among_others():
    industry = rule("industry", "in", "Software", "SaaS")
    country = rule("country", "in", "Germany")
    proposal = rule("industry", "in", "software")

    assert overlapping(proposal, [industry, country]) == [industry]
