"""How the teams voted and where they really disagree: pure calculation, no database.

- **Dots.** A team's *share* on a proposal is the part of the dots the team placed in the step that went to
  it (2 of its 6 dots: 33 %), so a big team and a small one weigh the same. A proposal is contested when at
  least ``DOTS_MIN_FOR_DISAGREEMENT`` dots are on it and two teams that placed dots in the step have shares
  more than ``SHARE_GAP_DISAGREEMENT`` points apart. A team with no dot on a proposal that has few dots is
  not a disagreement: with three teams one usually has none.
- **Agree / disagree.** Contested when one team leans for it (more agree than disagree) and another leans
  against it.
- **A criterion weight.** Contested when the points the teams proposed for it are
  ``WEIGHT_SPREAD_DISAGREEMENT`` or more apart (max − min).
- **Poker.** A round's picks for a criterion, once revealed: per team, their spread and median.
"""

from dataclasses import dataclass

SHARE_GAP_DISAGREEMENT = 25  # percentage points
DOTS_MIN_FOR_DISAGREEMENT = 4
WEIGHT_SPREAD_DISAGREEMENT = 3

DOTS_RULE = (
    f"Highlighted where the teams really differ: at least {DOTS_MIN_FOR_DISAGREEMENT} dots on the proposal, and "
    f"the share of their dots two teams put on it more than {SHARE_GAP_DISAGREEMENT} points apart."
)
AGREE_RULE = "Highlighted where one team leans for the proposal and another against it."
WEIGHT_RULE = f"Highlighted where the teams' points for a criterion are {WEIGHT_SPREAD_DISAGREEMENT} or more apart."


@dataclass(frozen=True)
class TeamVotes:
    team: str
    up: int = 0  # dots, or agree
    down: int = 0  # disagree
    spent: int = 0  # dots the team placed in the whole step

    @property
    def net(self) -> int:
        return self.up - self.down

    @property
    def share(self) -> float | None:
        """Percent of the team's dots in the step on this proposal (None: the team placed none)."""
        return 100 * self.up / self.spent if self.spent else None


def dots_contested(by_team: list[TeamVotes]) -> bool:
    if sum(team.up for team in by_team) < DOTS_MIN_FOR_DISAGREEMENT:
        return False
    shares = [team.share for team in by_team if team.share is not None]
    return len(shares) >= 2 and max(shares) - min(shares) > SHARE_GAP_DISAGREEMENT


def item_contested(by_team: list[TeamVotes], *, dots: bool) -> bool:
    if dots:
        return dots_contested(by_team)
    leanings = {(team.net > 0) - (team.net < 0) for team in by_team}
    return {1, -1} <= leanings


def spread(points: list[int]) -> int:
    return max(points) - min(points) if points else 0


def weight_contested(points: list[int]) -> bool:
    return spread(points) >= WEIGHT_SPREAD_DISAGREEMENT


@dataclass(frozen=True)
class TeamPicks:
    team: str
    points: list[int]


@dataclass(frozen=True)
class PickSpread:
    """A criterion's picks after the reveal: per team, and how far apart they are."""

    by_team: list[TeamPicks]
    spread: int
    median: float | None


def pick_spread(picks: list[tuple[str, int]]) -> PickSpread:
    """``picks``: (team, points) per person."""
    teams: dict[str, list[int]] = {}
    for team, points in picks:
        teams.setdefault(team, []).append(points)
    points = sorted(points for _, points in picks)
    median = None
    if points:
        middle = len(points) // 2
        median = points[middle] if len(points) % 2 else (points[middle - 1] + points[middle]) / 2
    return PickSpread(
        by_team=[TeamPicks(team, sorted(values)) for team, values in sorted(teams.items())],
        spread=spread(points),
        median=median,
    )
