import pytest

from workshops.tally import TeamVotes, item_contested, spread, weight_contested


@pytest.mark.parametrize(
    ("votes", "dots", "contested"),
    [
        ([TeamVotes("Marketing", 2, 0), TeamVotes("Sales", 0, 1)], False, True),
        ([TeamVotes("Marketing", 2, 0), TeamVotes("Sales", 1, 0)], False, False),
        ([TeamVotes("Marketing", 1, 1), TeamVotes("Sales", 0, 1)], False, False),
        ([TeamVotes("Marketing", 0, 0), TeamVotes("Sales", 0, 0)], False, False),
        ([TeamVotes("Marketing", 2), TeamVotes("Sales", 0)], True, True),
        ([TeamVotes("Marketing", 2), TeamVotes("Sales", 1)], True, False),
        ([TeamVotes("Marketing", 0), TeamVotes("Sales", 0)], True, False),
        ([], True, False),
    ],
)
def test_it_finds_items_the_teams_disagree_on(votes, dots, contested):
    assert item_contested(votes, dots=dots) is contested


@pytest.mark.parametrize(
    ("points", "expected_spread", "contested"),
    [([], 0, False), ([2], 0, False), ([2, 3], 1, False), ([-1, 1], 2, True), ([3, -3, 0], 6, True)],
)
def test_it_measures_the_spread_of_proposed_weights(points, expected_spread, contested):
    assert spread(points) == expected_spread
    assert weight_contested(points) is contested
