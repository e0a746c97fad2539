"""Workshops for tests: a running one with a facilitator and one member per team."""

import itertools
from dataclasses import dataclass

from profiles.models import Profile, Section
from teams.models import Role, Team, User
from teams.tests.factories import TeamFactory, UserFactory
from workshops.models import Proposal, ProposalKind, Step, Voting, Workshop
from workshops.services.room import participants_invite, proposal_add, step_open, workshop_create

_numbers = itertools.count(1)
TEAMS = (Team.MARKETING, Team.SALES, Team.CUSTOMER_SUCCESS)


def person(role: str = Role.MEMBER, team: str = Team.MARKETING, **fields) -> User:
    return UserFactory(role=role, team=TeamFactory(slug=team), **fields)


@dataclass
class Room:
    workshop: Workshop
    facilitator: User
    marketing: User
    sales: User
    success: User
    step: Step  # an open items step (pain points)

    @property
    def members(self) -> list[User]:
        return [self.marketing, self.sales, self.success]

    @property
    def weights_step(self) -> Step:
        return self.workshop.steps.get(kind="weights")


def running_workshop(*, voting: str = Voting.DOTS, dots: int = 3, anonymous: bool = False) -> Room:
    """A workshop on a new profile, its pain points step open, a member of each team invited."""
    number = next(_numbers)
    facilitator = person(Role.FACILITATOR, Team.MARKETING, username=f"facilitator{number}")
    members = [person(Role.MEMBER, team) for team in TEAMS]
    workshop = workshop_create(
        profile=Profile.objects.create(name=f"Workshop profile {number}"),
        title=f"ICP workshop {number}",
        facilitator=facilitator,
        invitees=members,
        voting=voting,
        dots_per_step=dots,
        anonymous_votes=anonymous,
    )
    step = workshop.steps.get(position=3)
    step_open(step=step, user=facilitator)
    return Room(workshop, facilitator, *members, step=step)


def item(
    room: Room,
    author: User | None = None,
    text: str = "Spreadsheets break at scale",
    section: str = Section.PAIN_POINTS,
):
    return proposal_add(step=room.step, user=author or room.marketing, section=section, text=text)


def open_step_for(user: User) -> Step:
    """An open items step of a new workshop that ``user`` runs (a facilitator or admin) or is invited to."""
    number = next(_numbers)
    runs = user.role in (Role.ADMIN, Role.FACILITATOR)
    facilitator = user if runs else person(Role.FACILITATOR, Team.MARKETING)
    workshop = workshop_create(
        profile=Profile.objects.create(name=f"Workshop profile {number}"),
        title=f"ICP workshop {number}",
        facilitator=facilitator,
        invitees=[] if runs else [user],
    )
    step = workshop.steps.get(position=3)
    step_open(step=step, user=facilitator)
    return step


def proposal_for(user: User) -> Proposal:
    """A proposal of ``user``'s own in an open step of a workshop they run or are invited to."""
    step = open_step_for(user)
    return Proposal.objects.create(
        step=step, author=user, kind=ProposalKind.ITEM, section=Section.PAIN_POINTS, text="Slow"
    )


def participant_for(user: User) -> tuple[Workshop, User]:
    """A workshop ``user`` runs (or, for anyone else, one another facilitator runs) with a member invited who has
    not acted yet: (the workshop, that member)."""
    step = open_step_for(user)
    workshop = step.workshop
    invitee = person(Role.MEMBER, Team.SALES)
    participants_invite(workshop=workshop, users=[invitee], user=workshop.facilitator)
    return workshop, invitee
