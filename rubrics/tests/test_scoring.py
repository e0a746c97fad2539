"""The pure engine, table-driven: no database."""

import pytest

from rubrics.problems import rubric_problems
from rubrics.scoring import (
    MATCHED,
    MISSED,
    NO_DATA,
    Band,
    Criterion,
    Grade,
    Rubric,
    evaluate,
    explain,
    score,
)

VISITS = Criterion(
    id=9,
    field="website_visits_30d",
    kind="number",
    operator="bands",
    bands=(Band(points=3, min=10, label="high"), Band(points=1, min=1, max=9, label="low")),
)


def rule(field="industry", kind="category", operator="in", values=(), points=2, **extra):
    return Criterion(id=1, field=field, kind=kind, operator=operator, values=values, points=points, **extra)


@pytest.mark.parametrize(
    ("criterion", "value", "expected"),
    [
        (rule(values=("Software", "Retail")), "software", (MATCHED, 2)),
        (rule(values=("Software",)), "SOFTWARE", (MATCHED, 2)),
        (rule(values=("Software",)), "Healthcare", (MISSED, 0)),
        (rule(values=("énergie",)), "Énergie", (MISSED, 0)),  # only A-Z fold
        (rule(values=("Software",)), "", (NO_DATA, 0)),
        (rule(values=("Software",)), None, (NO_DATA, 0)),
        (rule(operator="not_in", values=("Government",)), "Retail", (MATCHED, 2)),
        (rule(operator="not_in", values=("Government",)), "government", (MISSED, 0)),
        (rule(operator="not_in", values=("Government",)), "", (NO_DATA, 0)),
        (rule(operator="empty"), "", (MATCHED, 2)),
        (rule(operator="empty"), None, (MATCHED, 2)),
        (rule(operator="empty"), "Retail", (MISSED, 0)),
        (rule("contact_titles", "text", "contains_any", ("vp", "chief")), "CFO; VP Sales", (MATCHED, 2)),
        (rule("contact_titles", "text", "contains_any", ("vp", "chief")), "Office Manager", (MISSED, 0)),
        (rule("contact_titles", "text", "contains_any", ("100%",)), "Grew 100% last year", (MATCHED, 2)),
        (rule("employees", "number", "gte", (50,)), 50, (MATCHED, 2)),
        (rule("employees", "number", "gte", (50,)), 49, (MISSED, 0)),
        (rule("employees", "number", "gte", (50,)), None, (NO_DATA, 0)),
        (rule("employees", "number", "lte", (50,)), 0, (MATCHED, 2)),
        (rule("annual_revenue", "number", "between", (10, 20)), 10, (MATCHED, 2)),
        (rule("annual_revenue", "number", "between", (10, 20)), 20, (MATCHED, 2)),
        (rule("annual_revenue", "number", "between", (10, 20)), 21, (MISSED, 0)),
        (rule("has_case_study", "boolean", "true"), True, (MATCHED, 2)),
        (rule("has_case_study", "boolean", "true"), False, (MISSED, 0)),
        (rule("has_case_study", "boolean", "false"), False, (MATCHED, 2)),
        (rule("has_case_study", "boolean", "true"), None, (NO_DATA, 0)),
        (VISITS, 25, (MATCHED, 3)),
        (VISITS, 10, (MATCHED, 3)),
        (VISITS, 9, (MATCHED, 1)),
        (VISITS, 0, (MISSED, 0)),
        (VISITS, None, (NO_DATA, 0)),
        (rule("extra.tier", "extra", "in", ("gold",)), "Gold", (MATCHED, 2)),
        (rule("extra.tier", "extra", "in", ("1",)), 1, (NO_DATA, 0)),  # a number is not text
        (rule("extra.seats", "extra", "gte", (2.5,)), 3, (MATCHED, 2)),
        (rule("extra.seats", "extra", "gte", (2.5,)), "3", (NO_DATA, 0)),  # text is not a number
        (rule("extra.seats", "extra", "gte", (0,)), True, (NO_DATA, 0)),  # nor is yes/no
        (rule("extra.trial", "extra", "true"), True, (MATCHED, 2)),
        (rule("extra.trial", "extra", "empty"), 0, (MISSED, 0)),
    ],
)
def test_each_operator_matches_misses_or_has_no_data(criterion, value, expected):
    status, points, _ = evaluate(criterion, value)

    assert (status, points) == expected


CLASSIC = Rubric(
    criteria=(
        rule(values=("Software",), points=3),
        Criterion(id=2, field="annual_revenue", kind="number", operator="gte", values=(1_000_000,), points=2),
        VISITS,
        Criterion(
            id=4, field="email_clicks_30d", kind="number", operator="gte", values=(1,), points=3, group="engagement"
        ),
        Criterion(id=5, field="nps", kind="number", operator="lte", values=(6,), points=-3, group="qualitative"),
    ),
    threshold=8,
    grades=(Grade("A", 10), Grade("B", 6), Grade("C", 0)),
)


@pytest.mark.parametrize(
    ("attributes", "total", "qualified", "grade"),
    [
        (
            {"industry": "Software", "annual_revenue": 5_000_000, "website_visits_30d": 12, "email_clicks_30d": 2},
            11,
            True,
            "A",
        ),
        ({"industry": "Software", "annual_revenue": 5_000_000, "website_visits_30d": 3}, 6, False, "B"),
        ({"industry": "Software", "annual_revenue": 5_000_000, "website_visits_30d": 12}, 8, True, "B"),
        ({"industry": "Retail", "nps": 3}, -3, False, None),
        ({}, 0, False, "C"),
    ],
)
def test_it_totals_qualifies_and_grades(attributes, total, qualified, grade):
    result = score(CLASSIC, attributes)

    assert (result.total, result.qualified, result.grade) == (total, qualified, grade)
    assert result.total == sum(outcome.points for outcome in result.matched)


def test_it_splits_the_total_by_group_and_reports_no_data_apart():
    result = score(CLASSIC, {"industry": "Software", "email_clicks_30d": 4, "nps": 5})

    assert result.subtotals == {"fit": 3, "engagement": 3, "qualitative": -3}
    assert [outcome.criterion.id for outcome in result.no_data] == [2, 9]


def test_the_stored_masks_explain_the_same_breakdown():
    result = score(CLASSIC, {"industry": "Software", "website_visits_30d": 4, "annual_revenue": None})

    outcomes = explain(CLASSIC, result.matched_mask, result.no_data_mask)

    assert [(o.criterion.id, o.status, o.points) for o in outcomes] == [
        (o.criterion.id, o.status, o.points) for o in result.outcomes
    ]
    assert outcomes[2].band.label == "low"


@pytest.mark.parametrize(
    ("criterion", "field", "message"),
    [
        (rule(operator="gte", values=(3,)), "operator", "“is at least” does not fit this field"),
        (rule(values=()), "values", "Give at least one value"),
        (rule(values=("",)), "values", "none of them empty"),
        (rule("employees", "number", "gte", ("ten",)), "values", "Give one number"),
        (rule("employees", "number", "gte", (2.5,)), "values", "whole numbers"),
        (rule("employees", "number", "between", (9, 3)), "values", "must not be above the second"),
        (rule(points=4), "points", "Points must be between -3 and 3"),
        (rule("has_case_study", "boolean", "true", ("x",)), "values", "takes no values"),
        (Criterion(id=1, field="employees", kind="number", operator="bands"), "bands", "at least one band"),
        (
            Criterion(id=1, field="employees", kind="number", operator="bands", bands=(Band(points=9, min=1),)),
            "bands",
            "Band 1: points must be between",
        ),
        (
            Criterion(id=1, field="employees", kind="number", operator="bands", bands=(Band(points=1, min=5, max=2),)),
            "bands",
            "Band 1 starts above where it ends",
        ),
    ],
)
def test_it_says_what_is_wrong_with_a_criterion_in_plain_words(criterion, field, message):
    problems = rubric_problems(Rubric(criteria=(criterion,), threshold=0))

    assert any(message in text for text in problems.criteria[1][field])


def test_it_refuses_a_threshold_no_customer_could_reach():
    problems = rubric_problems(Rubric(criteria=(rule(values=("Software",), points=3), VISITS), threshold=7))

    assert problems.rubric == ["No customer could ever reach the threshold of 7: the most any customer can score is 6."]


def test_a_sound_rubric_has_no_problems():
    assert not rubric_problems(CLASSIC)


def test_the_demo_rubric_is_sound_and_reaches_its_threshold():
    from rubrics.demo import CLASSIC as DEMO
    from rubrics.demo import GRADES

    demo = Rubric(
        criteria=tuple(
            Criterion(
                id=i,
                field=field,
                kind={"in": "category", "contains_any": "text", "true": "boolean"}.get(operator, "number"),
                operator=operator,
                values=tuple(values),
                points=points,
                bands=tuple(Band(points=b["points"], min=b["min"], max=b["max"]) for b in bands),
                group=group,
            )
            for i, (group, _, field, operator, values, points, bands) in enumerate(DEMO)
        ),
        threshold=12,
        grades=tuple(Grade(g["label"], g["min"]) for g in GRADES),
    )

    assert not rubric_problems(demo)
    assert demo.highest_total == 24
