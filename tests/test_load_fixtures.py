"""bench/load_fixtures.py: what `make load` prepares in its database, and what it clears after."""

import json

import pytest

from bench import load_fixtures
from customers.tests.factories import CustomerFactory
from rubrics.models import RubricVersion, VersionStatus
from rubrics.services.drafts import draft_create
from rubrics.services.publishing import rubric_publish
from rubrics.tests.factories import rubric_with_draft
from teams.models import Role, User
from workshops.models import Participant, Proposal, StepStatus, Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(make_person):
    CustomerFactory.create_batch(3, industry="Software", owner=make_person(Role.SALES_REP, username="rep"))
    CustomerFactory(industry="Retail")
    version = rubric_with_draft(industries=("Software",))
    rubric_publish(version=version, user=None)
    return version


@pytest.mark.parametrize(
    ("users", "split"),
    [
        (50, {"admin": 1, "facilitator": 1, "reps": 10, "participants": 38}),
        (5, {"admin": 1, "facilitator": 1, "reps": 1, "participants": 2}),
    ],
)
def test_it_splits_the_people_into_kinds(users, split):
    assert load_fixtures.roles_split(users) == split


def test_it_prepares_people_with_the_password_a_live_workshop_and_what_reps_filter_by(published):
    fixtures = load_fixtures.fixtures_prepare(8)

    people = fixtures["people"]
    assert len(people["participants"]) == 4
    assert len(people["reps"]) == 2
    member = User.objects.get(username=people["participants"][0])
    assert member.check_password(fixtures["password"])
    assert member.role == Role.MEMBER
    teams = set(User.objects.filter(username__in=people["participants"]).values_list("team__slug", flat=True))
    assert len(teams) == 3, "participants from the three teams"
    assert User.objects.get(username=people["reps"][0]).sees_team_leads
    workshop = Workshop.objects.get(pk=fixtures["workshop"]["workshop_id"])
    assert workshop.steps.get(pk=fixtures["workshop"]["step_id"]).status == StepStatus.OPEN
    assert Participant.objects.filter(workshop=workshop).count() == 4
    assert Proposal.objects.filter(step__workshop=workshop).count() == load_fixtures.SEEDED_PROPOSALS
    leads = fixtures["leads"]
    assert leads["rubric_id"] == published.rubric_id
    assert leads["industries"][0] == "Software"
    assert leads["owners"] == [str(User.objects.get(username="rep").pk)]
    json.dumps(fixtures)


def test_a_second_run_starts_a_new_workshop_and_keeps_the_people(published):
    first = load_fixtures.fixtures_prepare(6)
    second = load_fixtures.fixtures_prepare(6)

    assert not Workshop.objects.filter(pk=first["workshop"]["workshop_id"]).exists()
    assert Workshop.objects.filter(title=load_fixtures.WORKSHOP_TITLE).count() == 1
    assert first["people"] == second["people"]
    assert User.objects.filter(username__startswith=load_fixtures.PREFIX).count() == 6


def test_it_clears_the_load_admin_s_draft_and_nobody_else_s(published, make_person):
    people = load_fixtures.fixtures_prepare(5)["people"]
    draft_create(rubric=published.rubric, user=User.objects.get(username=people["admin"]))
    other = rubric_with_draft()

    load_fixtures.leftovers_clear()

    assert not published.rubric.versions.filter(status=VersionStatus.DRAFT).exists()
    assert RubricVersion.objects.filter(pk=other.pk, status=VersionStatus.DRAFT).exists()
