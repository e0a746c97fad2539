import pytest

from workshops.tally import (
    DOTS_MIN_FOR_DISAGREEMENT,
    SHARE_GAP_DISAGREEMENT,
    TeamVotes,
    item_contested,
    spread,
    weight_contested,
)


def test_it_uses_the_thresholds_the_board_states():
    assert (DOTS_MIN_FOR_DISAGREEMENT, SHARE_GAP_DISAGREEMENT) == (4, 25)


@pytest.mark.parametrize(
    ("votes", "contested"),
    [
        ([TeamVotes("Marketing", 2, 0), TeamVotes("Sales", 0, 1)], True),
        ([TeamVotes("Marketing", 2, 0), TeamVotes("Sales", 1, 0)], False),
        ([TeamVotes("Marketing", 1, 1), TeamVotes("Sales", 0, 1)], False),
        ([TeamVotes("Marketing", 0, 0), TeamVotes("Sales", 0, 0)], False),
    ],
)
def test_it_finds_items_the_teams_lean_apart_on(votes, contested):
    assert item_contested(votes, dots=False) is contested


# (dots on the proposal, dots the team placed in the step) per team; the shares worked out by hand.
@pytest.mark.parametrize(
    ("counts", "contested"),
    [
        # 2/3 = 67 %, 1/3 = 33 %, 0/3 = 0 %: far apart, but 3 dots in all is too few to call it.
        ({"Marketing": (2, 3), "Sales": (1, 3), "Customer Success": (0, 3)}, False),
        # 3/3 = 100 %, 1/3 = 33 %, 0/3 = 0 %, 4 dots: contested.
        ({"Marketing": (3, 3), "Sales": (1, 3), "Customer Success": (0, 3)}, True),
        # 2/6, 2/6, 1/3: every team 33 %, 5 dots: they agree.
        ({"Marketing": (2, 6), "Sales": (2, 6), "Customer Success": (1, 3)}, False),
        # 2/4 = 50 % and 2/8 = 25 %: exactly 25 points apart is not more than 25.
        ({"Marketing": (2, 4), "Sales": (2, 8)}, False),
        # 3/6 = 50 % and 1/6 = 17 %: 33 points apart.
        ({"Marketing": (3, 6), "Sales": (1, 6)}, True),
        # 2/3 = 67 %, 2/3 = 67 %, 0/6 = 0 %: one team put nothing where the two others put most.
        ({"Marketing": (2, 3), "Sales": (2, 3), "Customer Success": (0, 6)}, True),
        # Only marketing has placed dots in the step yet: nobody to disagree with.
        ({"Marketing": (4, 4), "Sales": (0, 0), "Customer Success": (0, 0)}, False),
        ({}, False),
    ],
)
def test_it_flags_dots_only_where_the_teams_shares_really_differ(counts, contested):
    votes = [TeamVotes(team, up=on_it, spent=spent) for team, (on_it, spent) in counts.items()]
    assert item_contested(votes, dots=True) is contested


def test_a_teams_share_is_of_its_own_dots_in_the_step():
    assert TeamVotes("Sales", up=1, spent=4).share == 25
    assert TeamVotes("Sales", up=0, spent=0).share is None


@pytest.mark.parametrize(
    ("points", "expected_spread", "contested"),
    [
        ([], 0, False),
        ([2], 0, False),
        ([2, 3], 1, False),
        ([-1, 1], 2, False),
        ([1, 3, -1], 4, True),
        ([0, 3], 3, True),
    ],
)
def test_it_measures_the_spread_of_proposed_weights(points, expected_spread, contested):
    assert spread(points) == expected_spread
    assert weight_contested(points) is contested
