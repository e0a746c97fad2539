"""The agenda: adding, renaming, moving and removing steps, on the services; stale forms change nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from profiles.models import Section
from teams.models import Role, Team
from workshops.models import Step, Workshop
from workshops.services.agenda import AgendaChangedMeanwhile, step_add, step_move, step_remove, step_update
from workshops.services.closing import workshop_close
from workshops.services.room import WorkshopRefused, step_close
from workshops.tests.factories import item, person, running_workshop

pytestmark = pytest.mark.django_db


def _fresh(room) -> Workshop:
    return Workshop.objects.get(pk=room.workshop.pk)


def _titles(room) -> list[str]:
    return list(Step.objects.filter(workshop=room.workshop).order_by("position").values_list("title", flat=True))


def _positions(room) -> list[int]:
    return list(Step.objects.filter(workshop=room.workshop).order_by("position").values_list("position", flat=True))


def test_it_adds_a_step_on_the_sections_chosen_at_the_end():
    room = running_workshop()
    before = _fresh(room)

    step = step_add(
        workshop=room.workshop,
        user=room.facilitator,
        agenda_revision=before.agenda_revision,
        title="  Personas   deep dive ",
        sections=[Section.PERSONAS, Section.MESSAGING_MATRIX],
        duration_minutes=15,
    )

    after = _fresh(room)
    assert (step.title, step.kind, step.status, step.duration_minutes) == ("Personas deep dive", "items", "pending", 15)
    assert step.sections == [Section.MESSAGING_MATRIX, Section.PERSONAS], "in the profile's order"
    assert _titles(room)[-1] == "Personas deep dive"
    assert _positions(room) == list(range(7))
    assert after.agenda_revision == before.agenda_revision + 1
    assert after.version > before.version, "every screen's agenda bar refreshes"


def test_it_adds_a_weights_step_without_sections():
    room = running_workshop()

    step = step_add(
        workshop=room.workshop,
        user=room.facilitator,
        agenda_revision=_fresh(room).agenda_revision,
        title="Weights, round two",
        kind="weights",
    )

    assert (step.kind, step.sections) == ("weights", [])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": " ", "sections": [Section.NEEDS]}, "title"),
        ({"title": "x" * 201, "sections": [Section.NEEDS]}, "title"),
        ({"title": "Nothing to propose on"}, "sections"),
        ({"title": "Hobbies", "sections": ["hobbies"]}, "sections"),
        ({"title": "Mixed", "kind": "weights", "sections": [Section.NEEDS]}, "sections"),
        ({"title": "Odd", "kind": "votes", "sections": [Section.NEEDS]}, "kind"),
        ({"title": "Too long", "sections": [Section.NEEDS], "duration_minutes": 181}, "duration_minutes"),
        ({"title": "Too short", "sections": [Section.NEEDS], "duration_minutes": 0}, "duration_minutes"),
    ],
)
def test_it_refuses_a_step_it_cannot_run_and_adds_nothing(fields, field):
    room = running_workshop()
    before = _fresh(room).agenda_revision

    with pytest.raises(ValidationError) as refused:
        step_add(workshop=room.workshop, user=room.facilitator, agenda_revision=before, **fields)

    assert field in refused.value.message_dict
    assert Step.objects.filter(workshop=room.workshop).count() == 6
    assert _fresh(room).agenda_revision == before


def test_it_adds_a_double_submitted_step_once():
    room = running_workshop()
    seen = _fresh(room).agenda_revision
    fields = {"title": "Channels", "sections": [Section.CHANNELS], "agenda_revision": seen}

    step_add(workshop=room.workshop, user=room.facilitator, **fields)
    with pytest.raises(AgendaChangedMeanwhile):
        step_add(workshop=room.workshop, user=room.facilitator, **fields)

    assert _titles(room).count("Channels") == 1


def test_it_renames_a_step_and_plans_its_minutes():
    room = running_workshop()

    step = step_update(
        step=room.step, user=room.facilitator, agenda_revision=1, title="Pains, objections", duration_minutes=20
    )

    assert (step.title, step.duration_minutes, step.status) == ("Pains, objections", 20, "open")


def test_it_refuses_a_rename_from_a_stale_form_and_keeps_the_newer_title():
    room = running_workshop()
    step_update(step=room.step, user=room.facilitator, agenda_revision=1, title="Renamed in the other tab")

    with pytest.raises(AgendaChangedMeanwhile):
        step_update(step=room.step, user=room.facilitator, agenda_revision=1, title="Stale title")

    assert Step.objects.get(pk=room.step.pk).title == "Renamed in the other tab"


@pytest.mark.parametrize(("direction", "moved_to"), [("up", 2), ("down", 4)])
def test_it_moves_a_step_one_place(direction, moved_to):
    room = running_workshop()
    titles = _titles(room)

    step = step_move(step=room.step, user=room.facilitator, agenda_revision=1, direction=direction)

    expected = list(titles)
    expected.insert(moved_to, expected.pop(3))
    assert step.position == moved_to
    assert _titles(room) == expected
    assert _positions(room) == list(range(6)), "positions stay 0..n-1, unique"


def test_it_moves_a_double_clicked_step_once():
    room = running_workshop()

    step_move(step=room.step, user=room.facilitator, agenda_revision=1, direction="up")
    with pytest.raises(AgendaChangedMeanwhile):
        step_move(step=room.step, user=room.facilitator, agenda_revision=1, direction="up")

    assert Step.objects.get(pk=room.step.pk).position == 2


def test_it_refuses_to_move_the_first_step_up():
    room = running_workshop()
    first = room.workshop.steps.get(position=0)

    with pytest.raises(ValidationError, match="already the first"):
        step_move(step=first, user=room.facilitator, agenda_revision=1, direction="up")

    assert _fresh(room).agenda_revision == 1, "a refused change does not use up the revision"


def test_it_removes_a_step_nobody_proposed_in_and_closes_the_gap():
    room = running_workshop()
    second = room.workshop.steps.get(position=1)

    step_remove(step=second, user=room.facilitator, agenda_revision=1)

    assert not Step.objects.filter(pk=second.pk).exists()
    assert _positions(room) == list(range(5))
    assert Step.objects.get(pk=room.step.pk).position == 2


def test_it_keeps_a_step_with_proposals_on_the_agenda():
    room = running_workshop()
    item(room)
    step_close(step=room.step, user=room.facilitator)

    with pytest.raises(WorkshopRefused, match="has proposals"):
        step_remove(step=room.step, user=room.facilitator, agenda_revision=1)

    assert Step.objects.filter(pk=room.step.pk).exists()


def test_it_keeps_the_open_step_and_the_last_step():
    room = running_workshop()
    with pytest.raises(WorkshopRefused, match="is open"):
        step_remove(step=room.step, user=room.facilitator, agenda_revision=1)

    lone = running_workshop()
    others = lone.workshop.steps.exclude(pk=lone.step.pk)
    Step.objects.filter(pk__in=others).delete()
    Step.objects.filter(pk=lone.step.pk).update(status="closed")
    with pytest.raises(WorkshopRefused, match="at least one step"):
        step_remove(step=lone.step, user=lone.facilitator, agenda_revision=1)


def test_it_lets_only_the_workshops_facilitator_change_the_agenda():
    room = running_workshop()
    other_facilitator = person(Role.FACILITATOR, Team.MARKETING)
    admin = person(Role.ADMIN, Team.SALES)

    for somebody in (room.sales, other_facilitator, admin):
        with pytest.raises(PermissionDenied):
            step_add(workshop=room.workshop, user=somebody, agenda_revision=1, title="Mine", sections=["needs"])
        with pytest.raises(PermissionDenied):
            step_update(step=room.step, user=somebody, agenda_revision=1, title="Mine")
        with pytest.raises(PermissionDenied):
            step_move(step=room.step, user=somebody, agenda_revision=1, direction="up")
        with pytest.raises(PermissionDenied):
            step_remove(step=room.workshop.steps.get(position=0), user=somebody, agenda_revision=1)

    assert _fresh(room).agenda_revision == 1
    assert len(_titles(room)) == 6


def test_it_freezes_the_agenda_of_a_closed_workshop():
    room = running_workshop()
    workshop_close(workshop=room.workshop, user=room.facilitator)
    revision = _fresh(room).agenda_revision

    with pytest.raises(WorkshopRefused, match="closed"):
        step_add(workshop=room.workshop, user=room.facilitator, agenda_revision=revision, title="Late", kind="weights")
    with pytest.raises(WorkshopRefused, match="closed"):
        step_update(step=room.step, user=room.facilitator, agenda_revision=revision, title="Late")

    assert len(_titles(room)) == 6
