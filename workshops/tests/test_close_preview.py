"""Closing safely: a preview of what the close writes, a confirmation that refuses a stale preview, a double
submit that writes once, and a reopen until the rubric draft is published."""

import re

import pytest
from django.urls import reverse

from profiles.models import ItemStatus, ProfileItem
from rubrics.models import Criterion, Rubric, RubricVersion
from workshops.models import Workshop
from workshops.services.closing import close_plan, workshop_close, workshop_reopen
from workshops.services.room import WorkshopRefused, proposal_add, proposal_decide, step_open
from workshops.tests.factories import item, running_workshop

pytestmark = pytest.mark.django_db


def _agree(room, proposal):
    return proposal_decide(proposal=proposal, user=room.facilitator, status=ItemStatus.AGREED)


def _room_with_agreements():
    room = running_workshop()
    _agree(room, item(room, text="Manual reporting"))
    rubric = Rubric.objects.create(profile=room.workshop.profile, name="Fit")
    published = RubricVersion.objects.create(rubric=rubric, number=1, threshold=1, status="published")
    Criterion.objects.create(version=published, field="industry", operator="in", values=["Software"], points=1)
    step_open(step=room.weights_step, user=room.facilitator)
    weight = proposal_add(
        step=room.weights_step, user=room.sales, field="industry", operator="in", values=["Software"], points=3
    )
    _agree(room, weight)
    return room


def _token(page: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)


def test_the_preview_shows_the_items_and_the_weights_with_their_rubric_draft(client):
    room = _room_with_agreements()
    client.force_login(room.facilitator)

    page = client.get(reverse("workshops:close", args=[room.workshop.pk])).content.decode()

    assert "Manual reporting" in page.split('data-testid="close-items"')[1]
    weights = " ".join(page.split('data-testid="close-weights"')[1].split())
    assert "Fit: a new draft, copied from its published version" in weights
    assert "+1 → +3" in weights
    assert not ProfileItem.objects.exists(), "the preview writes nothing"
    assert Workshop.objects.get().status == "running"


def test_a_confirmation_of_a_stale_preview_is_refused_with_409_and_nothing_written(client):
    room = _room_with_agreements()
    client.force_login(room.facilitator)
    token = _token(client.get(reverse("workshops:close", args=[room.workshop.pk])).content.decode())
    reporting = room.step.proposals.get(text="Manual reporting")
    proposal_decide(proposal=reporting, user=room.facilitator, status=ItemStatus.REJECTED)  # after the preview

    response = client.post(reverse("workshops:close", args=[room.workshop.pk]), {"token": token})

    assert response.status_code == 409
    page = response.content.decode()
    assert "changed after you saw it" in page
    assert "Manual reporting" not in page.split('data-testid="close-items"')[1], "the new preview is shown"
    assert Workshop.objects.get().status == "running"
    assert not ProfileItem.objects.exists()
    assert not RubricVersion.objects.filter(status="draft").exists()


def test_a_double_submit_closes_once(client):
    room = _room_with_agreements()
    client.force_login(room.facilitator)
    token = _token(client.get(reverse("workshops:close", args=[room.workshop.pk])).content.decode())

    first = client.post(reverse("workshops:close", args=[room.workshop.pk]), {"token": token})
    second = client.post(reverse("workshops:close", args=[room.workshop.pk]), {"token": token})

    assert first.status_code == second.status_code == 302
    assert Workshop.objects.get().status == "closed"
    assert ProfileItem.objects.count() == 1
    assert RubricVersion.objects.filter(status="draft").count() == 1


def test_only_the_facilitator_sees_the_preview_or_closes(client):
    room = _room_with_agreements()
    token = close_plan(room.workshop).token
    client.force_login(room.sales)

    assert client.get(reverse("workshops:close", args=[room.workshop.pk])).status_code == 403
    assert client.post(reverse("workshops:close", args=[room.workshop.pk]), {"token": token}).status_code == 403
    assert Workshop.objects.get().status == "running"


def test_a_reopen_keeps_what_was_agreed_and_a_second_close_writes_no_item_twice():
    room = _room_with_agreements()
    workshop_close(workshop=room.workshop, user=room.facilitator, token=close_plan(room.workshop).token)

    workshop = workshop_reopen(workshop=room.workshop, user=room.facilitator)

    assert workshop.status == "running"
    assert set(workshop.steps.values_list("status", flat=True)) == {"closed"}
    agreed = sorted(p.text or p.criterion_label for p in room.workshop.steps.get(pk=room.step.pk).proposals.all())
    assert agreed == ["Manual reporting"]
    assert close_plan(workshop).items == [], "the item is in the profile already"
    workshop_close(workshop=workshop, user=room.facilitator)
    assert ProfileItem.objects.count() == 1
    draft = RubricVersion.objects.get(status="draft")
    assert list(draft.criteria.values_list("values", "points")) == [(["Software"], 3)]


def test_a_reopen_is_refused_once_the_draft_is_published(client):
    room = _room_with_agreements()
    workshop = workshop_close(workshop=room.workshop, user=room.facilitator)
    RubricVersion.objects.filter(rubric__profile=workshop.profile, status="published").update(status="retired")
    RubricVersion.objects.filter(pk=workshop.rubric_version_id).update(status="published")

    with pytest.raises(WorkshopRefused, match="published"):
        workshop_reopen(workshop=workshop, user=room.facilitator)
    client.force_login(room.facilitator)
    summary = client.get(reverse("workshops:summary", args=[workshop.pk])).content.decode()

    assert Workshop.objects.get().status == "closed"
    assert 'data-testid="reopen-blocked"' in summary


def test_only_the_facilitator_reopens_403_and_nothing_changed(client):
    room = _room_with_agreements()
    workshop_close(workshop=room.workshop, user=room.facilitator)
    client.force_login(room.sales)

    response = client.post(reverse("workshops:reopen", args=[room.workshop.pk]))

    assert response.status_code == 403
    assert Workshop.objects.get().status == "closed"
