"""A demo workshop for `make run`: the demo profile's agreed basics, and a running workshop on its pain points."""

from django.db import transaction

from profiles.models import ChecklistStep, ItemStatus, Profile, Section
from profiles.services.items import profile_item_add
from teams.models import User

from .models import Workshop
from .services.room import comment_add, proposal_add, step_open, vote_cast, workshop_create

TITLE = "ICP alignment, Q1"
AGREED = [
    (Section.FIRMOGRAPHICS, "Software, financial services and healthcare companies of 200 to 2,000 employees"),
    (Section.GEOGRAPHY, "Europe and North America, where we have sales and support"),
    (Section.CHARACTERISTICS, "A revenue operations team that owns the CRM"),
]
PROPOSALS = [  # (username, section, text, voters)
    (
        "marketing",
        Section.PAIN_POINTS,
        "Leads scored by gut feeling; sales ignores marketing's MQLs",
        ["sales", "success"],
    ),
    ("sales", Section.PAIN_POINTS, "Reps waste mornings on accounts that will never buy", ["marketing", "sales"]),
    ("success", Section.PAIN_POINTS, "Customers who churn in year one were never a fit", ["success"]),
    ("sales", Section.OBJECTIONS, "“We already have lead scoring in HubSpot”", []),
]


@transaction.atomic
def demo_workshop_ensure(*, profile: Profile) -> Workshop | None:
    """Once: the profile's agreed basics and a running workshop with proposals, votes and a comment."""
    if Workshop.objects.filter(profile=profile, title=TITLE).exists():
        return None
    people = {
        user.username: user
        for user in User.objects.filter(username__in=["facilitator", "marketing", "sales", "success"])
    }
    if len(people) < 4:
        return None
    for section, text in AGREED:
        profile_item_add(
            profile=profile, section=section, text=text, author=people["facilitator"], status=ItemStatus.AGREED
        )
    workshop = workshop_create(
        profile=profile,
        title=TITLE,
        facilitator=people["facilitator"],
        invitees=[people["marketing"], people["sales"], people["success"]],
    )
    step = workshop.steps.get(position=list(ChecklistStep.values).index(ChecklistStep.PAIN_POINTS))
    step_open(step=step, user=people["facilitator"])
    for author, section, text, voters in PROPOSALS:
        proposal = proposal_add(step=step, user=people[author], text=text, section=section)
        for voter in voters:
            vote_cast(proposal=proposal, user=people[voter])
    comment_add(proposal=proposal, user=people["marketing"], text="We hear this in every demo: worth an answer.")
    return workshop
