"""Closing a workshop: agreed items into the profile, agreed weights into a rubric draft, a summary."""

import pytest
from django.core.exceptions import PermissionDenied

from profiles.models import ItemStatus, ProfileItem, Section
from rubrics.models import Criterion, Rubric, RubricVersion
from workshops.models import Step
from workshops.services.closing import workshop_close
from workshops.services.room import WorkshopRefused, participant_seen, proposal_add, proposal_decide, step_open
from workshops.summary import summary_markdown
from workshops.tests.factories import item, running_workshop

pytestmark = pytest.mark.django_db


def _agree(room, proposal):
    return proposal_decide(proposal=proposal, user=room.facilitator, status=ItemStatus.AGREED)


def _weight(room, user, points, values=("Software",), field="industry", operator="in"):
    step = room.weights_step
    if not step.is_open:
        step_open(step=step, user=room.facilitator)
    return proposal_add(
        step=step, user=user, field=field, operator=operator, values=list(values), points=points, label="Industry"
    )


def test_it_writes_the_agreed_items_into_the_profile():
    room = running_workshop()
    agreed = item(room, text="Manual reporting")
    item(room, text="Left open")
    rejected = item(room, text="Not us")
    _agree(room, agreed)
    proposal_decide(proposal=rejected, user=room.facilitator, status=ItemStatus.REJECTED)

    workshop_close(workshop=room.workshop, user=room.facilitator)

    items = ProfileItem.objects.filter(profile=room.workshop.profile)
    assert [(i.section, i.text, i.status) for i in items] == [(Section.PAIN_POINTS, "Manual reporting", "agreed")]
    assert items[0].author == room.marketing
    assert "agreed in workshop" in items[0].changes.get().note
    assert set(Step.objects.filter(workshop=room.workshop).values_list("status", flat=True)) == {"closed"}


def test_it_makes_a_rubric_with_the_agreed_weights_when_the_profile_has_none():
    room = running_workshop()
    _agree(room, _weight(room, room.sales, 2))
    _weight(room, room.marketing, -1, values=("Retail",))  # not agreed

    workshop = workshop_close(workshop=room.workshop, user=room.facilitator)

    draft = RubricVersion.objects.get(rubric__profile=room.workshop.profile)
    assert draft.status == "draft"
    assert workshop.rubric_version == draft
    assert list(draft.criteria.values_list("field", "operator", "values", "points")) == [
        ("industry", "in", ["Software"], 2)
    ]


def test_it_puts_the_agreed_weights_into_the_next_draft_of_a_published_rubric():
    room = running_workshop()
    rubric = Rubric.objects.create(profile=room.workshop.profile, name="Fit")
    published = RubricVersion.objects.create(rubric=rubric, number=1, threshold=1, status="published")
    Criterion.objects.create(version=published, field="industry", operator="in", values=["Software"], points=1)
    Criterion.objects.create(version=published, field="country", operator="in", values=["DE"], points=1, position=1)
    _agree(room, _weight(room, room.sales, 3))
    _agree(room, _weight(room, room.success, -2, values=("Retail",)))

    workshop_close(workshop=room.workshop, user=room.facilitator)

    draft = rubric.versions.get(status="draft")
    assert draft.number == 2
    assert list(draft.criteria.order_by("position").values_list("values", "points")) == [
        (["Software"], 3),
        (["DE"], 1),
        (["Retail"], -2),
    ]
    assert list(published.criteria.values_list("points", flat=True)) == [1, 1], "the published version never changes"


def test_it_adds_to_a_draft_the_rubric_already_has():
    room = running_workshop()
    rubric = Rubric.objects.create(profile=room.workshop.profile, name="Fit")
    draft = RubricVersion.objects.create(rubric=rubric, number=1, threshold=0)
    _agree(room, _weight(room, room.sales, 2))

    workshop_close(workshop=room.workshop, user=room.facilitator)

    assert list(draft.criteria.values_list("points", flat=True)) == [2]
    assert rubric.versions.count() == 1


def test_it_leaves_a_summary_of_who_came_and_what_was_agreed():
    room = running_workshop()
    participant_seen(workshop=room.workshop, user=room.marketing)
    participant_seen(workshop=room.workshop, user=room.sales)
    _agree(room, item(room, text="Manual reporting"))
    item(room, author=room.sales, text="Still talking")

    summary = workshop_close(workshop=room.workshop, user=room.facilitator).summary

    attendance = {team["team"]: team for team in summary["attendance"]}
    assert attendance["Marketing"]["came"] == [room.marketing.display_name]
    assert attendance["Customer Success"]["missed"] == [room.success.display_name]
    assert [row["text"] for row in summary["agreed"]] == ["Manual reporting"]
    assert [row["text"] for row in summary["open"]] == ["Still talking"]
    markdown = summary_markdown(summary)
    assert "## Agreed" in markdown
    assert "Manual reporting" in markdown


def test_it_escapes_what_people_wrote_in_the_markdown_export():
    room = running_workshop()
    _agree(room, item(room, text="<script>alert(1)</script> [click](http://evil)"))

    markdown = summary_markdown(workshop_close(workshop=room.workshop, user=room.facilitator).summary)

    assert "<script>" not in markdown
    assert "\\<script\\>alert(1)\\</script\\>" in markdown
    assert "[click](http" not in markdown


def test_it_closes_once_and_only_for_the_facilitator():
    room = running_workshop()

    with pytest.raises(PermissionDenied):
        workshop_close(workshop=room.workshop, user=room.sales)
    workshop_close(workshop=room.workshop, user=room.facilitator)
    with pytest.raises(WorkshopRefused):
        workshop_close(workshop=room.workshop, user=room.facilitator)
