"""Reads of a workshop: the list, a step's proposals with their votes and comments, the facilitator's board."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from customers.selectors import distinct_values
from profiles.sections import Section
from rubrics import scoring
from rubrics.models import Criterion, Rubric, RubricVersion, VersionStatus
from rubrics.overlap import rules_overlap, same_rule
from rubrics.preview import criterion_condition, criterion_points
from rubrics.selectors import criterion_spec
from teams.models import Role, User

from . import tally
from .models import Comment, Participant, Proposal, ProposalChange, Step, Vote, WeightPick, Workshop


def workshops_for(user: User) -> QuerySet[Workshop]:
    """Admins see every workshop; everyone else those they facilitate or are invited to."""
    workshops = Workshop.objects.select_related("profile", "facilitator").order_by("-created_at", "-id")
    if user.role == Role.ADMIN:
        return workshops
    invited = Participant.objects.filter(workshop=OuterRef("pk"), user=user)
    return workshops.filter(Q(facilitator=user) | Exists(invited))


def workshop_live_state(step_id: int, user: User) -> tuple[int, int, int, bool, bool] | None:
    """(workshop id, version, bar version, invited, facilitates) of a step's workshop in one query: all a poll
    needs. In SQL written once: every poll that must draw its region again asks it, fifty at a time after each
    change, and the ORM's compiling of it cost more than PostgreSQL's answer."""
    with connection.cursor() as cursor:
        cursor.execute(_LIVE_STATE_SQL, [user.pk, step_id])
        row = cursor.fetchone()
    if row is None:
        return None
    workshop_id, version, bar_version, invited, facilitator_id = row
    return workshop_id, version, bar_version, invited, facilitator_id == user.pk


_LIVE_STATE_SQL = (
    f"SELECT w.id, w.version, w.bar_version, "  # noqa: S608  (table names from the models; values bound)
    f"EXISTS (SELECT 1 FROM {Participant._meta.db_table} p WHERE p.workshop_id = w.id AND p.user_id = %s), "
    f"w.facilitator_id FROM {Workshop._meta.db_table} w JOIN {Step._meta.db_table} s ON s.workshop_id = w.id "
    f"WHERE s.id = %s"
)


@dataclass
class ProposalRow:
    proposal: Proposal
    votes: list[Vote] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    my_vote: int | None = None
    picks: list[WeightPick] = field(default_factory=list)  # a poker round's (privacy.py)
    my_pick: int | None = None
    points_hidden: bool = False  # a poker step before the reveal: the author's points are not shown to others
    # The card as everybody sees it, before and after the person's own vote buttons (cards.py).
    card_head: str = ""
    card_tail: str = ""
    # Its vote buttons in each state of the person's vote (None, 1, -1), and as this person sees them.
    vote_forms: dict = field(default_factory=dict)
    edit_link: str = ""  # its Edit link, for the people who may edit it
    votable: bool = False  # standing, in an open step: a participant's vote buttons show
    editable: bool = False  # standing, in a step and workshop not closed: its author and the facilitator edit it
    # A firmographic proposal's values, each with the query of the similar accounts that have it (_matches_add).
    matches: list[tuple[str, str]] = field(default_factory=list)

    # A proposal's links, from each URL's pattern reversed once: every poll draws them for every proposal.
    @property
    def vote_url(self) -> str:
        return _proposal_url("workshops:vote", self.proposal.pk)

    @property
    def unvote_url(self) -> str:
        return _proposal_url("workshops:unvote", self.proposal.pk)

    @property
    def comment_url(self) -> str:
        return _proposal_url("workshops:comment", self.proposal.pk)

    @property
    def edit_url(self) -> str:
        return _proposal_url("workshops:proposal_edit", self.proposal.pk)

    @property
    def history_url(self) -> str:
        return _proposal_url("workshops:proposal_history", self.proposal.pk)

    @property
    def pick_url(self) -> str:
        return _proposal_url("workshops:pick", self.proposal.pk)

    @property
    def pick_spread(self) -> tally.PickSpread:
        return tally.pick_spread(
            [(pick.voter_team.name if pick.voter_team else "No team", pick.points) for pick in self.picks]
        )

    @property
    def up(self) -> int:
        return sum(1 for vote in self.votes if vote.value > 0)

    @property
    def down(self) -> int:
        return sum(1 for vote in self.votes if vote.value < 0)


_PK_MARK = 987654321


@cache
def _proposal_url_parts(name: str) -> tuple[str, str]:
    before, after = reverse(name, args=[_PK_MARK]).split(str(_PK_MARK))
    return before, after


def _proposal_url(name: str, pk: int) -> str:
    before, after = _proposal_url_parts(name)
    return f"{before}{pk}{after}"


def step_rows(step: Step, user: User | None) -> list[ProposalRow]:
    """The step's proposals, oldest first, each with its votes, comments and the person's own vote (3 queries;
    without a person, nobody's), and a firmographic proposal's links to the customers that match it (2 more, for
    a step with firmographics or geography items)."""
    proposals = step.proposals.select_related("author", "author_team", "edited_by", "merged_into")
    rows = {proposal.pk: ProposalRow(proposal) for proposal in proposals.order_by("created_at", "id")}
    for vote in Vote.objects.filter(proposal__step=step).select_related("voter", "voter_team").order_by("id"):
        row = rows[vote.proposal_id]
        row.votes.append(vote)
        if user is not None and vote.voter_id == user.pk:
            row.my_vote = vote.value
    for comment in Comment.objects.filter(proposal__step=step).select_related("author", "author_team"):
        rows[comment.proposal_id].comments.append(comment)
    if step.is_poker:
        for pick in WeightPick.objects.filter(proposal__step=step).select_related("voter_team").order_by("id"):
            rows[pick.proposal_id].picks.append(pick)
    found = list(rows.values())
    _matches_add(found)
    return found


# The customer fields the similar accounts page filters on: a proposal about one links to the prospects that match.
MATCHED_FIELDS = ("industry", "region")
MATCHED_SECTIONS = (Section.FIRMOGRAPHICS, Section.GEOGRAPHY)


def _matches_add(rows: list[ProposalRow]) -> None:
    """Each firmographic proposal's values, with the query of the prospects that have each, ranked by similarity to
    the won deals: a weight's values ("industry is one of Software, Retail"), or the industries and regions of the
    base that a firmographics or geography item names ("Software companies in Europe")."""
    known = None
    for row in rows:
        proposal = row.proposal
        if proposal.is_weight:
            if proposal.criterion_operator == "in" and proposal.criterion_field in MATCHED_FIELDS:
                row.matches = [_match(proposal.criterion_field, str(value)) for value in proposal.criterion_values]
        elif proposal.section in MATCHED_SECTIONS and proposal.text:
            if known is None:
                known = {name: distinct_values(name) for name in MATCHED_FIELDS}
            row.matches = [
                _match(name, value) for name in MATCHED_FIELDS for value in known[name] if _names(proposal.text, value)
            ]


def _names(text: str, value: str) -> bool:
    """``text`` names ``value`` as words of its own ("in Europe", not "Europeans"), whatever the case."""
    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE) is not None


def _match(name: str, value: str) -> tuple[str, str]:
    return value, urlencode({"seed": "won", name: value, "prospects": "on"})


def proposal_history(proposal: Proposal) -> list[ProposalChange]:
    """Who changed the proposal, what and when, newest first."""
    return list(proposal.changes.select_related("by"))


def seats_with_activity(workshop: Workshop) -> QuerySet[Participant]:
    """The people invited, by team, each with ``has_acted``: whether they proposed, voted or commented."""
    acted = (
        Exists(Proposal.objects.filter(author=OuterRef("user"), step__workshop=workshop))
        | Exists(Vote.objects.filter(voter=OuterRef("user"), proposal__step__workshop=workshop))
        | Exists(Comment.objects.filter(author=OuterRef("user"), proposal__step__workshop=workshop))
    )
    return (
        workshop.participants.select_related("user", "team")
        .annotate(has_acted=acted)
        .order_by("team__name", "user__username")
    )


def workshop_teams(workshop: Workshop) -> list[str]:
    """The teams in the room, by name (people without a team count as "No team")."""
    names = {seat.team.name if seat.team else "No team" for seat in workshop.participants.select_related("team")}
    return sorted(names)


@dataclass
class ItemSplit:
    row: ProposalRow
    by_team: list[tally.TeamVotes]
    contested: bool
    is_new: bool = False  # proposed since the board was opened


@dataclass
class WeightGroup:
    """Every team's proposed points for one criterion, side by side."""

    label: str
    rule: str
    by_team: dict[str, list[Proposal]]
    points: list[int]
    spread: int
    contested: bool
    current: int | None = None  # the points the rubric gives the criterion today (None: a new criterion)
    evidence: str = ""  # what the base said about the rule when it was proposed


def item_splits(step: Step, user: User, teams: list[str], *, seen_up_to: int | None = None) -> list[ItemSplit]:
    """Each proposal's votes by team, newest first (a new one shows at the top of the projected board), marked
    new when its id is above ``seen_up_to`` (the last proposal when the board was opened)."""
    rows = step_rows(step, user)
    counts = {row.proposal.pk: {team: [0, 0] for team in teams} for row in rows}
    spent: dict[str, int] = defaultdict(int)  # dots each team placed in the step
    for row in rows:
        for vote in row.votes:
            name = vote.voter_team.name if vote.voter_team else "No team"
            counts[row.proposal.pk].setdefault(name, [0, 0])[0 if vote.value > 0 else 1] += 1
            spent[name] += vote.value > 0
    splits = []
    for row in reversed(rows):
        by_team = [
            tally.TeamVotes(team, up, down, spent=spent[team]) for team, (up, down) in counts[row.proposal.pk].items()
        ]
        contested = tally.item_contested(by_team, dots=step.workshop.uses_dots)
        is_new = seen_up_to is not None and row.proposal.pk > seen_up_to
        splits.append(ItemSplit(row, by_team, contested, is_new))
    return splits


def weight_groups(step: Step, teams: list[str]) -> list[WeightGroup]:
    grouped: dict[tuple, list[Proposal]] = defaultdict(list)
    proposals = step.proposals.filter(merged_into__isnull=True).select_related("author", "author_team")
    for proposal in proposals.order_by("created_at", "id"):
        grouped[proposal.criterion_key].append(proposal)
    groups = []
    for proposals in grouped.values():
        by_team = {team: [] for team in teams}
        for proposal in proposals:
            by_team.setdefault(proposal.author_team.name if proposal.author_team else "No team", []).append(proposal)
        points = [proposal.points for proposal in proposals]
        groups.append(
            WeightGroup(
                label=proposals[0].criterion_label,
                rule=proposals[0].rule,
                by_team=by_team,
                points=points,
                spread=tally.spread(points),
                contested=tally.weight_contested(points),
                current=next((p.current_points for p in proposals if p.current_points is not None), None),
                evidence=next((p.evidence.get("sentence", "") for p in proposals if p.evidence), ""),
            )
        )
    return groups


def workshop_rubric(workshop: Workshop) -> Rubric | None:
    """The rubric the workshop's agreed weights go into: the profile's first rubric (closing makes one if none)."""
    return Rubric.objects.filter(profile_id=workshop.profile_id).order_by("pk").first()


@dataclass
class CriterionNow:
    """One criterion of the rubric as it scores today, for the weights step."""

    criterion: Criterion
    spec: scoring.Criterion
    condition: str
    points: str

    @property
    def banded(self) -> bool:
        return self.criterion.operator == "bands"


@dataclass
class RubricNow:
    """The workshop's rubric as it scores today: its published version's criteria (none before a first publish),
    and the draft the agreed weights will go into, if one is being edited."""

    rubric: Rubric | None
    published: RubricVersion | None
    draft: RubricVersion | None
    criteria: list[CriterionNow]

    @property
    def specs(self) -> list[scoring.Criterion]:
        return [row.spec for row in self.criteria]

    def row_for(self, criterion_id: int) -> CriterionNow | None:
        return next((row for row in self.criteria if row.criterion.pk == criterion_id), None)

    def same_as(self, rule: scoring.Criterion) -> CriterionNow | None:
        """The criterion with this very rule, if the rubric has it."""
        return next((row for row in self.criteria if same_rule(row.spec, rule)), None)

    def clash_with(self, rule: scoring.Criterion) -> CriterionNow | None:
        """A criterion with another rule that scores some of the same customers, if the rubric has one."""
        clashes = (row for row in self.criteria if rules_overlap(row.spec, rule) and not same_rule(row.spec, rule))
        return next(clashes, None)

    def clash_message(self, rule: scoring.Criterion) -> str:
        row = self.clash_with(rule)
        if row is None:
            return ""
        return (
            f"The rubric already scores this: “{row.criterion}” ({row.condition}, {row.points}). Customers matching "
            "both would get points twice: propose new points for that criterion instead, or a rule that does not "
            "overlap it."
        )


def rubric_now(workshop: Workshop) -> RubricNow:
    rubric = workshop_rubric(workshop)
    if rubric is None:
        return RubricNow(None, None, None, [])
    versions = {version.status: version for version in rubric.versions.exclude(status=VersionStatus.RETIRED)}
    published = versions.get(VersionStatus.PUBLISHED)
    criteria = list(published.criteria.order_by("position", "id")) if published else []
    rows = [
        CriterionNow(criterion, criterion_spec(criterion), criterion_condition(criterion), criterion_points(criterion))
        for criterion in criteria
    ]
    return RubricNow(rubric, published, versions.get(VersionStatus.DRAFT), rows)
