"""What the load test (`make load`, bench/load.py) needs in its database, and the clean-up after it.

    python bench/load_fixtures.py prepare USERS FILE   writes the fixtures to FILE as JSON (see ``fixtures_prepare``)
    python bench/load_fixtures.py clear                removes the load admin's unpublished draft, if any

Run with DATABASE_URL naming the load database (a seeded base: the demo rubric, its scores, the demo reps).
Everything it makes is named ``load-...``; the people are kept between runs, the workshop is made anew.
"""

import json
import os
import random
import sys
from pathlib import Path

PASSWORD = "load-test-only-not-a-secret"
PREFIX = "load-"
WORKSHOP_TITLE = "Load test workshop"
PROFILE_NAME = "Load test profile"
SEEDED_PROPOSALS = 12


def roles_split(users: int) -> dict[str, int]:
    """How many simulated people of each kind: one admin, one facilitator, a fifth reps, the rest participants."""
    if users < 4:
        raise ValueError("the load test needs at least 4 users: an admin, a facilitator, a rep and a participant")
    reps = max(1, round(users / 5))
    return {"admin": 1, "facilitator": 1, "reps": reps, "participants": users - 2 - reps}


def people_ensure(users: int) -> dict:
    """The load people (made or reset), all with PASSWORD: their usernames by kind."""
    from django.contrib.auth.hashers import make_password

    from teams.models import Role, Team, User

    teams = {slug: Team.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in Team.DEFAULTS}
    password = make_password(PASSWORD)  # hashed once: hashing 50 times would take longer than the whole set-up
    split = roles_split(users)
    wanted = [
        (f"{PREFIX}admin", Role.ADMIN, Team.SALES, False),
        (f"{PREFIX}facilitator", Role.FACILITATOR, Team.MARKETING, False),
    ]
    wanted += [(f"{PREFIX}rep-{n:02d}", Role.SALES_REP, Team.SALES, True) for n in range(1, split["reps"] + 1)]
    slugs = [slug for slug, _ in Team.DEFAULTS]
    wanted += [
        (f"{PREFIX}member-{n:02d}", Role.MEMBER, slugs[n % len(slugs)], False)
        for n in range(1, split["participants"] + 1)
    ]
    for username, role, team, sees_team_leads in wanted:
        User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "team": teams[team],
                "sees_team_leads": sees_team_leads,
                "password": password,
                "is_active": True,
                "email": f"{username}@example.com",
            },
        )
    names = [username for username, *_ in wanted]
    return {
        "admin": names[0],
        "facilitator": names[1],
        "reps": names[2 : 2 + split["reps"]],
        "participants": names[2 + split["reps"] :],
    }


def workshop_reset(people: dict) -> dict:
    """A new running workshop (the last run's is deleted) on its pain points step, with some proposals already."""
    from profiles.models import ChecklistStep, Profile, Section
    from teams.models import User
    from workshops.models import Voting, Workshop
    from workshops.services.room import comment_add, proposal_add, step_open, vote_cast, workshop_create

    Workshop.objects.filter(title=WORKSHOP_TITLE).delete()
    profile, _ = Profile.objects.get_or_create(name=PROFILE_NAME)
    facilitator = User.objects.get(username=people["facilitator"])
    participants = list(User.objects.filter(username__in=people["participants"]).order_by("username"))
    workshop = workshop_create(
        profile=profile, title=WORKSHOP_TITLE, facilitator=facilitator, invitees=participants, voting=Voting.AGREE
    )
    step = workshop.steps.get(position=list(ChecklistStep.values).index(ChecklistStep.PAIN_POINTS))
    step_open(step=step, user=facilitator)
    rng = random.Random(8)
    for number in range(SEEDED_PROPOSALS):
        author = participants[number % len(participants)]
        proposal = proposal_add(step=step, user=author, section=Section.PAIN_POINTS, text=f"Seeded pain point {number}")
        for voter in rng.sample(participants, min(3, len(participants))):
            vote_cast(proposal=proposal, user=voter, value=rng.choice([1, -1]))
        comment_add(proposal=proposal, user=participants[(number + 1) % len(participants)], text="Seen it too")
    return {"workshop_id": workshop.pk, "step_id": step.pk, "section": str(Section.PAIN_POINTS)}


def leads_browsing() -> dict:
    """What reps filter the lead list by: the rubric, the largest industries, countries and regions, grades, whose
    leads (the reps owning customers), and search words from qualified leads' names."""
    from django.db.models import Count, Exists, OuterRef

    from customers.models import Customer
    from leads.selectors import lead_rubrics
    from rubrics.models import RubricVersion, Score, VersionStatus
    from teams.models import Role, User

    rubric = lead_rubrics().first()
    if rubric is None:
        raise SystemExit("the load database has no published rubric: seed it (python bench/run.py seed_1m)")

    def largest(field: str, count: int) -> list[str]:
        rows = Customer.objects.exclude(**{field: ""}).values(field).annotate(n=Count("pk")).order_by("-n")[:count]
        return [row[field] for row in rows]

    published = RubricVersion.objects.get(rubric=rubric, status=VersionStatus.PUBLISHED)
    owns = Customer.objects.filter(owner=OuterRef("pk"))
    owners = User.objects.filter(Exists(owns), role=Role.SALES_REP).exclude(username__startswith=PREFIX)
    names = Score.objects.filter(rubric=rubric, qualified=True).values_list("customer__name", flat=True)[:400]
    words = sorted({name.split()[0] for name in names if name.split()})
    return {
        "rubric_id": rubric.pk,
        "industries": largest("industry", 8),
        "countries": largest("country", 8),
        "regions": largest("region", 5),
        "grades": [grade["label"] for grade in published.grades or []],
        "owners": [str(pk) for pk in owners.values_list("pk", flat=True)],
        "search_words": random.Random(9).sample(words, min(30, len(words))),
    }


def fixtures_prepare(users: int) -> dict:
    from django.db import transaction

    with transaction.atomic():
        people = people_ensure(users)
        workshop = workshop_reset(people)
    return {"password": PASSWORD, "people": people, "workshop": workshop, "leads": leads_browsing()}


def leftovers_clear() -> int:
    """Delete the drafts the load admin started and did not publish (a bench run needs the demo rubric draft-free)."""
    from rubrics.models import RubricVersion, VersionStatus

    deleted, _ = RubricVersion.objects.filter(
        status=VersionStatus.DRAFT, created_by__username=f"{PREFIX}admin"
    ).delete()
    return deleted


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icpsite.settings")
    import django

    django.setup()


if __name__ == "__main__":
    _setup_django()
    if sys.argv[1:2] == ["prepare"] and len(sys.argv) == 4:
        Path(sys.argv[3]).write_text(json.dumps(fixtures_prepare(int(sys.argv[2])), indent=2))
    elif sys.argv[1:2] == ["clear"]:
        leftovers_clear()
    else:
        raise SystemExit(__doc__)
