"""The pure chooser, table-driven: territory, round robin, weekly cap, away or inactive reps, no rule matching."""

import pytest

from routing.choosing import Lead, Reps, Rule, lead_choose, leads_share, rep_turns, rule_matches

GERMAN_SOFTWARE = Lead(country="Germany", region="Bavaria", industry="Software", employees=250)


@pytest.mark.parametrize(
    ("rule", "matches"),
    [
        (Rule(id=1, rep_ids=(1,)), True),  # every field blank: anywhere
        (Rule(id=1, rep_ids=(1,), country="Germany"), True),
        (Rule(id=1, rep_ids=(1,), country=" germany "), True),  # spelling of case and spaces does not matter
        (Rule(id=1, rep_ids=(1,), country="France"), False),
        (Rule(id=1, rep_ids=(1,), country="Germany", region="Bavaria", industry="Software"), True),
        (Rule(id=1, rep_ids=(1,), country="Germany", region="Saxony"), False),
        (Rule(id=1, rep_ids=(1,), industry="Retail"), False),
        (Rule(id=1, rep_ids=(1,), min_employees=250), True),  # bounds are included
        (Rule(id=1, rep_ids=(1,), max_employees=250), True),
        (Rule(id=1, rep_ids=(1,), min_employees=251), False),
        (Rule(id=1, rep_ids=(1,), max_employees=249), False),
        (Rule(id=1, rep_ids=(1,), min_employees=100, max_employees=500), True),
    ],
)
def test_it_matches_the_territory(rule, matches):
    assert rule_matches(rule, GERMAN_SOFTWARE) is matches


def test_it_needs_a_known_size_for_a_size_range():
    assert not rule_matches(Rule(id=1, rep_ids=(1,), min_employees=1), Lead(country="Germany"))
    assert rule_matches(Rule(id=1, rep_ids=(1,), country="Germany"), Lead(country="Germany"))


@pytest.mark.parametrize(
    ("last_rep_id", "turns"),
    [(None, [3, 7, 9]), (3, [7, 9, 3]), (7, [9, 3, 7]), (9, [3, 7, 9]), (5, [7, 9, 3]), (99, [3, 7, 9])],
)
def test_reps_take_turns_after_the_pointer_in_id_order(last_rep_id, turns):
    assert rep_turns(Rule(id=1, rep_ids=(9, 3, 7), last_rep_id=last_rep_id)) == turns


def _route(rules, leads, reps):
    """Route one lead after another, moving the pointers and counts as the service does; the reps chosen."""
    chosen = []
    rules = list(rules)
    for lead in leads:
        choice = lead_choose(rules, lead, reps)
        chosen.append(choice.rep_id)
        if choice.rep_id is not None:
            reps.assigned_this_week[choice.rep_id] = reps.assigned_this_week.get(choice.rep_id, 0) + 1
            rules = [
                Rule(**{**rule.__dict__, "last_rep_id": choice.rep_id}) if rule.id == choice.rule_id else rule
                for rule in rules
            ]
    return chosen


@pytest.mark.parametrize(
    ("case", "rules", "leads", "reps", "expected"),
    [
        (
            "round robin over seven leads",
            [Rule(id=1, rep_ids=(10, 20, 30))],
            [GERMAN_SOFTWARE] * 7,
            Reps(),
            [10, 20, 30, 10, 20, 30, 10],
        ),
        (
            "the pointer survives: it starts after the last rep",
            [Rule(id=1, rep_ids=(10, 20, 30), last_rep_id=20)],
            [GERMAN_SOFTWARE] * 4,
            Reps(),
            [30, 10, 20, 30],
        ),
        (
            "first matching rule wins, in order",
            [
                Rule(id=1, rep_ids=(10,), country="France"),
                Rule(id=2, rep_ids=(20,), country="Germany"),
                Rule(id=3, rep_ids=(30,)),
            ],
            [GERMAN_SOFTWARE, Lead(country="France"), Lead(country="Spain")],
            Reps(),
            [20, 10, 30],
        ),
        (
            "weekly cap: 2 a week, one already this week",
            [Rule(id=1, rep_ids=(10, 20), weekly_cap=2)],
            [GERMAN_SOFTWARE] * 5,
            Reps(assigned_this_week={10: 1}),
            [10, 20, 20, None, None],
        ),
        (
            "capped reps send the lead on to the next matching rule",
            [Rule(id=1, rep_ids=(10,), weekly_cap=1, industry="Software"), Rule(id=2, rep_ids=(20,))],
            [GERMAN_SOFTWARE] * 3,
            Reps(),
            [10, 20, 20],
        ),
        (
            "away and inactive reps are skipped",
            [Rule(id=1, rep_ids=(10, 20, 30))],
            [GERMAN_SOFTWARE] * 4,
            Reps(unavailable={10, 30}),
            [20, 20, 20, 20],
        ),
        (
            "a rule whose reps are all away passes the lead on",
            [Rule(id=1, rep_ids=(10,)), Rule(id=2, rep_ids=(20,))],
            [GERMAN_SOFTWARE],
            Reps(unavailable={10}),
            [20],
        ),
        (
            "no rule matches: nobody",
            [Rule(id=1, rep_ids=(10,), country="France")],
            [GERMAN_SOFTWARE, Lead()],
            Reps(),
            [None, None],
        ),
        ("no rules at all: nobody", [], [GERMAN_SOFTWARE], Reps(), [None]),
    ],
)
def test_it_routes_leads_by_the_rules(case, rules, leads, reps, expected):
    assert _route(rules, leads, reps) == expected, case


def test_it_says_why_nobody_got_the_lead():
    assert lead_choose([Rule(id=1, rep_ids=(10,), country="France")], GERMAN_SOFTWARE, Reps()).why_not == (
        "No rule matched."
    )
    choice = lead_choose([Rule(id=1, rep_ids=(10,))], GERMAN_SOFTWARE, Reps(unavailable={10}))
    assert (choice.rule_id, choice.rep_id) == (None, None)
    assert "away, inactive or at their weekly cap" in choice.why_not


def test_it_leaves_out_the_rep_a_lead_is_taken_from():
    rule = Rule(id=1, rep_ids=(10, 20), last_rep_id=10)  # 20 would be next
    assert lead_choose([rule], GERMAN_SOFTWARE, Reps(), exclude=[20]).rep_id == 10
    assert lead_choose([Rule(id=1, rep_ids=(20,))], GERMAN_SOFTWARE, Reps(), exclude=[20]).rep_id is None


def test_the_share_counts_what_each_rep_would_get_without_changing_the_inputs():
    rules = [Rule(id=1, rep_ids=(10, 20), weekly_cap=3), Rule(id=2, rep_ids=(30,))]
    reps = Reps(assigned_this_week={10: 2})
    leads = [GERMAN_SOFTWARE] * 6

    # 10 has room for 1, 20 for 3: 10, 20, 20, 20 by rule 1, then the rest to 30 by rule 2.
    assert leads_share(rules, leads, reps) == {10: 1, 20: 3, 30: 2}
    assert reps.assigned_this_week == {10: 2}
    assert rules[0].last_rep_id is None
