"""Must-haves, disqualifiers and caps in the pure engine, table-driven: no database."""

import dataclasses
import itertools

import pytest

from rubrics.problems import rubric_problems
from rubrics.scoring import (
    BELOW_THRESHOLD,
    DISQUALIFIED,
    GATE_MUST,
    GATE_NEVER,
    MATCHED,
    MISSED,
    MISSES_MUST_HAVE,
    NEEDS_DATA,
    NO_DATA,
    QUALIFIED,
    Band,
    Criterion,
    Rubric,
    explain_score,
    score,
)

INDUSTRY = Criterion(
    id=1, field="industry", kind="category", operator="in", values=("Software",), points=2, gate=GATE_MUST
)
COMPETITOR = Criterion(
    id=2, field="extra.competitor", kind="extra", operator="true", points=1, gate=GATE_NEVER, label="Competitor"
)
SIZE = Criterion(id=3, field="employees", kind="number", operator="gte", values=(50,), points=3)
CLICKS = Criterion(
    id=4, field="email_clicks_30d", kind="number", operator="gte", values=(1,), points=3, group="engagement"
)
VISITS = Criterion(
    id=5,
    field="website_visits_30d",
    kind="number",
    operator="bands",
    bands=(Band(points=3, min=10, label="high"), Band(points=2, min=1, max=9, label="low")),
    group="engagement",
)
GATED = Rubric(criteria=(INDUSTRY, COMPETITOR, SIZE, CLICKS, VISITS), threshold=5, caps=(("engagement", 4),))


def _customer(industry="Software", competitor=None, employees=100, clicks=0, visits=0) -> dict:
    extra = {} if competitor is None else {"competitor": competitor}
    return {
        "industry": industry,
        "extra": extra,
        "employees": employees,
        "email_clicks_30d": clicks,
        "website_visits_30d": visits,
    }


@pytest.mark.parametrize(
    ("attributes", "status", "total", "passes_gates"),
    [
        (_customer(), QUALIFIED, 5, True),  # must-have +2, size +3
        (_customer(employees=10), BELOW_THRESHOLD, 2, True),
        (_customer(competitor=True), DISQUALIFIED, 6, False),  # its points count, it still never qualifies
        (_customer(competitor=False), QUALIFIED, 5, True),
        (_customer(competitor="yes"), QUALIFIED, 5, True),  # no data on a disqualifier does not disqualify
        (_customer(industry="Retail"), MISSES_MUST_HAVE, 3, False),
        (_customer(industry=""), NEEDS_DATA, 3, False),
        (_customer(industry=None, clicks=5, visits=20), NEEDS_DATA, 7, False),  # enough points, still no data
        (_customer(industry="Retail", competitor=True), DISQUALIFIED, 4, False),  # disqualified comes first
        (_customer(industry=None, competitor=True), DISQUALIFIED, 4, False),
        (_customer(industry=None, employees=1), NEEDS_DATA, 0, False),  # needs data comes before the threshold
    ],
)
def test_it_gives_each_status_in_its_order_of_precedence(attributes, status, total, passes_gates):
    result = score(GATED, attributes)

    assert (result.status, result.total, result.passes_gates) == (status, total, passes_gates)
    assert result.qualified == (status == QUALIFIED)


@pytest.mark.parametrize(
    ("visits", "status", "points"),
    [(25, MATCHED, 3), (5, MATCHED, 2), (0, MISSED, 0), (None, NO_DATA, 0)],
)
def test_a_banded_must_have_holds_when_any_band_does(visits, status, points):
    rubric = Rubric(criteria=(dataclasses.replace(VISITS, gate=GATE_MUST),), threshold=0)

    result = score(rubric, {"website_visits_30d": visits})

    assert (result.outcomes[0].status, result.total) == (status, points)
    assert result.passes_gates == (status == MATCHED)


@pytest.mark.parametrize(
    ("clicks", "visits", "raw", "capped"),
    [(0, 0, 0, 0), (1, 0, 3, 3), (0, 20, 3, 3), (1, 5, 5, 4), (1, 20, 6, 4)],
)
def test_a_cap_counts_at_most_its_points_of_the_group(clicks, visits, raw, capped):
    result = score(GATED, _customer(clicks=clicks, visits=visits))

    assert (result.raw_subtotals["engagement"], result.subtotals["engagement"]) == (raw, capped)
    assert result.total == sum(result.subtotals.values()) == 5 + capped
    assert result.total == sum(o.points for o in result.matched) + sum(g.cut for g in result.capped_groups)


def test_a_cap_leaves_a_negative_subtotal_and_a_cap_of_zero_takes_every_point():
    penalty = Criterion(id=1, field="nps", kind="number", operator="lte", values=(6,), points=-3, group="qualitative")
    bonus = Criterion(id=2, field="referrals_made", kind="number", operator="gte", values=(1,), points=2, group="fit")
    rubric = Rubric(criteria=(penalty, bonus), threshold=0, caps=(("qualitative", 1), ("fit", 0)))

    result = score(rubric, {"nps": 3, "referrals_made": 4})

    assert result.subtotals == {"fit": 0, "engagement": 0, "qualitative": -3}
    assert result.raw_subtotals == {"fit": 2, "engagement": 0, "qualitative": -3}
    assert (rubric.highest_total, rubric.lowest_total) == (0, -3)


@pytest.mark.parametrize(
    ("rubric", "highest", "lowest"),
    [
        (Rubric(criteria=(SIZE, CLICKS, VISITS), threshold=0), 9, 0),
        (Rubric(criteria=(SIZE, CLICKS, VISITS), threshold=0, caps=(("engagement", 4),)), 7, 0),
        (Rubric(criteria=(SIZE, CLICKS, VISITS), threshold=0, caps=(("engagement", 10), ("fit", 1))), 7, 0),
        (GATED, 10, 0),
    ],
)
def test_the_highest_and_lowest_totals_respect_the_caps(rubric, highest, lowest):
    assert (rubric.highest_total, rubric.lowest_total) == (highest, lowest)


def test_without_gates_the_rank_is_the_total():
    rubric = Rubric(criteria=(SIZE, CLICKS), threshold=3)

    assert [score(rubric, _customer(employees=e, clicks=c)).rank for e, c in [(1, 0), (100, 0), (100, 2)]] == [0, 3, 6]
    assert rubric.rank(4, passes_gates=False) == 4


def test_every_customer_passing_the_gates_ranks_above_every_one_that_does_not():
    offset = GATED.highest_total - GATED.lowest_total + 1
    customers = [
        _customer(industry=industry, competitor=competitor, employees=employees, clicks=clicks, visits=visits)
        for industry, competitor, employees, clicks, visits in itertools.product(
            ("Software", "Retail", None), (True, None), (1, 100), (0, 2), (0, 5, 20)
        )
    ]
    results = [score(GATED, attributes) for attributes in customers]

    passing = [result.rank for result in results if result.passes_gates]
    failing = [result.rank for result in results if not result.passes_gates]
    assert passing
    assert failing
    assert min(passing) > max(failing)
    for result in results:
        assert result.rank == result.total + (offset if result.passes_gates else 0)
        assert GATED.lowest_total <= result.total <= GATED.highest_total


@pytest.mark.parametrize(
    "attributes",
    [
        _customer(),
        _customer(industry=None, clicks=3, visits=12),
        _customer(industry="Retail"),
        _customer(competitor=True, visits=4),
        _customer(competitor="unknown", employees=None),
    ],
)
def test_the_stored_masks_explain_the_gates_the_caps_and_the_status(attributes):
    result = score(GATED, attributes)

    explained = explain_score(GATED, result.matched_mask, result.no_data_mask)

    assert (explained.status, explained.total, explained.qualified, explained.passes_gates, explained.rank) == (
        result.status,
        result.total,
        result.qualified,
        result.passes_gates,
        result.rank,
    )
    assert (explained.subtotals, explained.raw_subtotals) == (result.subtotals, result.raw_subtotals)
    assert [(o.criterion.id, o.status, o.points) for o in explained.outcomes] == [
        (o.criterion.id, o.status, o.points) for o in result.outcomes
    ]


@pytest.mark.parametrize(
    ("attributes", "words"),
    [
        (_customer(competitor=True), "Not qualified: disqualified by Competitor"),
        (_customer(industry=""), "Needs data: industry (must-have)"),
        (_customer(industry="Retail"), "Not qualified: misses the must-have industry"),
        (_customer(employees=3), "Not qualified: 2 points, below the threshold of 5"),
        (_customer(), "Qualified: 5 points, at or above the threshold of 5"),
    ],
)
def test_it_says_the_status_in_plain_words(attributes, words):
    assert score(GATED, attributes).status_words == words


def test_it_says_which_group_a_cap_cut_and_by_how_much():
    result = score(GATED, _customer(clicks=2, visits=30))

    [capped] = result.capped_groups
    assert (capped.words, capped.cut) == ("Engagement 6 points, capped at 4", -2)


@pytest.mark.parametrize(
    ("rubric", "message"),
    [
        (Rubric(criteria=(dataclasses.replace(SIZE, gate="always"),), threshold=0), "counts as adds points"),
        (Rubric(criteria=(SIZE,), threshold=0, caps=(("engagement", -1),)), "engagement cap must be a whole number"),
        (Rubric(criteria=(SIZE,), threshold=0, caps=(("engagement", 2.5),)), "engagement cap must be a whole number"),
        (Rubric(criteria=(SIZE,), threshold=0, caps=(("fit", True),)), "fit cap must be a whole number"),
        (Rubric(criteria=(SIZE,), threshold=0, caps=(("intent", 3),)), "“intent” is not a group"),
        (Rubric(criteria=(SIZE,), threshold=0, caps=(("fit", 3), ("fit", 4))), "The fit group has two caps"),
        (
            Rubric(criteria=(SIZE, CLICKS), threshold=5, caps=(("engagement", 1),)),
            "No customer could ever reach the threshold of 5: the most any customer can score is 4.",
        ),
    ],
)
def test_it_says_what_is_wrong_with_gates_and_caps(rubric, message):
    problems = rubric_problems(rubric)

    by_criterion = [text for fields in problems.criteria.values() for texts in fields.values() for text in texts]
    texts = problems.rubric + by_criterion
    assert any(message in text for text in texts), texts


def test_a_rubric_with_gates_and_caps_can_be_sound():
    assert not rubric_problems(GATED)
