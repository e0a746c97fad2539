"""How the teams voted and where they disagree: pure calculation, no database.

- An item with agree/disagree votes is contested when one team leans for it
  (more agree than disagree) and another leans against it.
- An item with dots is contested when one team spent dots on it and another
  team in the room spent none.
- A criterion weight is contested when the points the teams proposed for it
  are ``WEIGHT_SPREAD_DISAGREEMENT`` or more apart (max − min).
- A poker round's picks for a criterion, once revealed: per team, their spread and median.
"""

from dataclasses import dataclass

WEIGHT_SPREAD_DISAGREEMENT = 2


@dataclass(frozen=True)
class TeamVotes:
    team: str
    up: int = 0  # dots, or agree
    down: int = 0  # disagree

    @property
    def net(self) -> int:
        return self.up - self.down


def item_contested(by_team: list[TeamVotes], *, dots: bool) -> bool:
    if dots:
        spent = [team.up for team in by_team]
        return bool(spent) and max(spent) > 0 and min(spent) == 0
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
