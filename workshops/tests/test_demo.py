import pytest

from profiles.models import ItemStatus, Profile
from teams.services import demo_people_ensure
from workshops.demo import demo_workshop_ensure
from workshops.models import Proposal, StepStatus, Vote, Workshop

pytestmark = pytest.mark.django_db


def test_the_demo_workshop_runs_on_the_pain_points_once():
    demo_people_ensure(password="icp-demo")
    profile = Profile.objects.create(name="Demo")

    workshop = demo_workshop_ensure(profile=profile)
    again = demo_workshop_ensure(profile=profile)

    assert again is None
    assert Workshop.objects.count() == 1
    step = workshop.steps.get(status=StepStatus.OPEN)
    assert "pain_points" in step.sections
    assert Proposal.objects.filter(step=step).count() == 4
    assert Vote.objects.filter(proposal__step=step).count() == 5
    assert profile.items.filter(status=ItemStatus.AGREED).count() == 3
    assert set(workshop.participants.values_list("user__username", flat=True)) >= {"marketing", "sales", "success"}
