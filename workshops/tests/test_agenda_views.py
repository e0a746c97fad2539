"""The agenda editor through the test client: answers for htmx and plain posts, stale forms, wrong people."""

import pytest
from django.urls import reverse

from profiles.models import Section
from teams.models import Role, Team
from workshops.models import Step, Workshop
from workshops.tests.factories import item, person, running_workshop

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _signed_in(client, user):
    client.force_login(user)
    return client


def _titles(room) -> list[str]:
    return list(Step.objects.filter(workshop=room.workshop).order_by("position").values_list("title", flat=True))


def _revision(room) -> int:
    return Workshop.objects.get(pk=room.workshop.pk).agenda_revision


def _add(client, room, **data):
    data.setdefault("agenda_revision", _revision(room))
    return client.post(reverse("workshops:agenda_add", args=[room.workshop.pk]), data, headers=HTMX)


def test_it_shows_the_facilitator_the_agenda_with_its_forms(client):
    room = running_workshop()
    _signed_in(client, room.facilitator)

    response = client.get(reverse("workshops:agenda", args=[room.workshop.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="agenda-step"') == 6
    assert 'name="agenda_revision" value="1"' in html
    assert "Pain points, Objections, Disqualifiers" in html, "each step says what it is about"


def test_it_adds_a_step_like_a_checklist_step_and_answers_htmx_with_the_editor(client):
    room = running_workshop()
    _signed_in(client, room.facilitator)

    response = _add(client, room, like="segments", duration_minutes=10)

    html = response.content.decode()
    added = Step.objects.filter(workshop=room.workshop).order_by("position").last()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.count('data-testid="agenda-step"') == 7
    assert 'name="agenda_revision" value="2"' in html
    assert added.title == "Segments made (personas, value proposition per industry)"
    assert added.sections == [Section.CHANNELS, Section.VALUE_PROPOSITION, Section.MESSAGING_MATRIX, Section.PERSONAS]
    assert added.duration_minutes == 10


def test_it_adds_a_step_on_free_sections_with_a_plain_post(client):
    room = running_workshop()
    _signed_in(client, room.facilitator)

    response = client.post(
        reverse("workshops:agenda_add", args=[room.workshop.pk]),
        {"agenda_revision": 1, "title": "Who buys", "sections": [Section.PERSONAS]},
    )

    assert response.status_code == 302
    assert response.url == reverse("workshops:agenda", args=[room.workshop.pk])
    assert _titles(room)[-1] == "Who buys"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "Nothing"}, "Choose a checklist step, or at least one profile section"),
        ({"like": "needs", "sections": [Section.NEEDS]}, "not both"),
        ({"title": "Hobbies", "sections": ["hobbies"]}, "Select a valid choice"),
        ({"title": "Long", "sections": [Section.NEEDS], "duration_minutes": 500}, "less than or equal to 180"),
        ({"title": "Long", "sections": [Section.NEEDS], "agenda_revision": "x"}, "reload the page"),
        ({"sections": [Section.NEEDS]}, "Give the step a title"),
    ],
)
def test_it_answers_a_step_it_cannot_add_with_400_and_the_reason(client, data, message):
    room = running_workshop()
    _signed_in(client, room.facilitator)

    response = _add(client, room, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert len(_titles(room)) == 6
    assert _revision(room) == 1


def test_it_answers_a_stale_add_with_409_keeps_what_was_typed_and_a_second_save_adds_it(client):
    room = running_workshop()
    _signed_in(client, room.facilitator)
    _add(client, room, title="From the other tab", sections=[Section.NEEDS])

    stale = _add(client, room, title="Channels talk", sections=[Section.CHANNELS], agenda_revision=1)

    html = stale.content.decode()
    assert stale.status_code == 409
    assert "The agenda changed after you loaded it" in html
    assert 'value="Channels talk"' in html, "what the facilitator typed stays"
    assert _titles(room)[-1] == "From the other tab"
    again = _add(client, room, title="Channels talk", sections=[Section.CHANNELS], agenda_revision=2)
    assert again.status_code == 200
    assert _titles(room)[-2:] == ["From the other tab", "Channels talk"]


def test_it_adds_a_double_submitted_step_once(client):
    room = running_workshop()
    _signed_in(client, room.facilitator)

    first = _add(client, room, title="Channels", sections=[Section.CHANNELS], agenda_revision=1)
    second = _add(client, room, title="Channels", sections=[Section.CHANNELS], agenda_revision=1)

    assert (first.status_code, second.status_code) == (200, 409)
    assert _titles(room).count("Channels") == 1


def test_it_renames_a_step_and_every_participants_bar_shows_it(client):
    room = running_workshop()
    _signed_in(client, room.sales)
    bar_url = reverse("workshops:bar", args=[room.step.pk])
    etag = client.get(bar_url)["ETag"]
    _signed_in(client, room.facilitator)
    prefix = f"step{room.step.pk}-"

    response = client.post(
        reverse("workshops:agenda_edit", args=[room.step.pk]),
        {prefix + "agenda_revision": 1, prefix + "title": "Pains and objections", prefix + "duration_minutes": 12},
    )

    assert response.status_code == 302
    step = Step.objects.get(pk=room.step.pk)
    assert (step.title, step.duration_minutes) == ("Pains and objections", 12)
    _signed_in(client, room.sales)
    bar = client.get(bar_url, headers={"If-None-Match": etag})
    assert bar.status_code == 200
    assert "Pains and objections" in bar.content.decode()
    assert "Planned: 12 minutes" in bar.content.decode()


def test_it_answers_a_stale_rename_with_409_and_keeps_the_newer_title(client):
    room = running_workshop()
    _signed_in(client, room.facilitator)
    url = reverse("workshops:agenda_edit", args=[room.step.pk])
    prefix = f"step{room.step.pk}-"
    client.post(url, {prefix + "agenda_revision": 1, prefix + "title": "Renamed first"})

    response = client.post(url, {prefix + "agenda_revision": 1, prefix + "title": "Stale"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 409
    assert 'value="Stale"' in html
    assert f'name="{prefix}agenda_revision" value="2"' in html
    assert Step.objects.get(pk=room.step.pk).title == "Renamed first"


def test_it_answers_a_blank_title_with_400(client):
    room = running_workshop()
    _signed_in(client, room.facilitator)
    prefix = f"step{room.step.pk}-"

    response = client.post(
        reverse("workshops:agenda_edit", args=[room.step.pk]),
        {prefix + "agenda_revision": 1, prefix + "title": ""},
        headers=HTMX,
    )

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert Step.objects.get(pk=room.step.pk).title == "Pain points defined"


def test_it_moves_a_step_once_on_a_double_click(client):
    room = running_workshop()
    _signed_in(client, room.facilitator)
    url = reverse("workshops:agenda_move", args=[room.step.pk])

    first = client.post(url, {"agenda_revision": 1, "direction": "up"}, headers=HTMX)
    second = client.post(url, {"agenda_revision": 1, "direction": "up"}, headers=HTMX)

    assert (first.status_code, second.status_code) == (200, 409)
    assert Step.objects.get(pk=room.step.pk).position == 2
    assert _titles(room)[2] == "Pain points defined"


@pytest.mark.parametrize(
    ("data", "status"),
    [({"agenda_revision": 1, "direction": "sideways"}, 400), ({"direction": "up"}, 400), ({}, 400)],
)
def test_it_answers_a_bad_move_with_400(client, data, status):
    room = running_workshop()
    _signed_in(client, room.facilitator)

    response = client.post(reverse("workshops:agenda_move", args=[room.step.pk]), data, headers=HTMX)

    assert response.status_code == status
    assert "Move a step up or down" in response.content.decode()
    assert Step.objects.get(pk=room.step.pk).position == 3


def test_it_answers_moving_the_last_step_down_with_400(client):
    room = running_workshop()
    _signed_in(client, room.facilitator)
    last = room.workshop.steps.get(position=5)

    response = client.post(
        reverse("workshops:agenda_move", args=[last.pk]), {"agenda_revision": 1, "direction": "down"}
    )

    assert response.status_code == 400
    assert "already the last step" in response.content.decode()


def test_it_removes_an_empty_step_and_refuses_one_with_proposals_with_409(client):
    room = running_workshop()
    item(room)
    _signed_in(client, room.facilitator)
    empty = room.workshop.steps.get(position=0)
    Step.objects.filter(pk=room.step.pk).update(status="closed")

    removed = client.post(reverse("workshops:agenda_remove", args=[empty.pk]), {"agenda_revision": 1})
    kept = client.post(reverse("workshops:agenda_remove", args=[room.step.pk]), {"agenda_revision": 2})

    assert removed.status_code == 302
    assert not Step.objects.filter(pk=empty.pk).exists()
    assert kept.status_code == 409
    assert "has proposals" in kept.content.decode()
    assert Step.objects.filter(pk=room.step.pk).exists()


def test_it_offers_remove_only_for_steps_without_proposals_that_are_not_open(client):
    room = running_workshop()
    _signed_in(client, room.facilitator)

    html = client.get(reverse("workshops:agenda", args=[room.workshop.pk])).content.decode()

    assert reverse("workshops:agenda_remove", args=[room.step.pk]) not in html
    assert reverse("workshops:agenda_remove", args=[room.workshop.steps.get(position=0).pk]) in html


def test_it_refuses_the_agenda_to_participants_and_other_facilitators_with_403(client):
    room = running_workshop()
    other = room.workshop.steps.get(position=0)
    prefix = f"step{other.pk}-"
    requests = [
        ("get", reverse("workshops:agenda", args=[room.workshop.pk]), {}),
        (
            "post",
            reverse("workshops:agenda_add", args=[room.workshop.pk]),
            {"agenda_revision": 1, "title": "Mine", "sections": ["needs"]},
        ),
        (
            "post",
            reverse("workshops:agenda_edit", args=[other.pk]),
            {prefix + "agenda_revision": 1, prefix + "title": "x"},
        ),
        ("post", reverse("workshops:agenda_move", args=[other.pk]), {"agenda_revision": 1, "direction": "down"}),
        ("post", reverse("workshops:agenda_remove", args=[other.pk]), {"agenda_revision": 1}),
    ]

    for somebody in (room.sales, person(Role.FACILITATOR, Team.SALES), person(Role.ADMIN, Team.SALES)):
        _signed_in(client, somebody)
        assert [getattr(client, method)(url, data).status_code for method, url, data in requests] == [403] * 5

    assert _revision(room) == 1
    assert len(_titles(room)) == 6


def test_it_shows_a_closed_workshops_agenda_without_forms_and_refuses_changes_with_409(client):
    from workshops.services.closing import workshop_close

    room = running_workshop()
    workshop_close(workshop=room.workshop, user=room.facilitator)
    _signed_in(client, room.facilitator)
    revision = _revision(room)

    page = client.get(reverse("workshops:agenda", args=[room.workshop.pk])).content.decode()
    response = _add(client, room, title="Late", sections=[Section.NEEDS], agenda_revision=revision)

    assert 'data-testid="step-form"' not in page
    assert 'data-testid="step-add-form"' not in page
    assert response.status_code == 409
    assert "The workshop is closed" in response.content.decode()
    assert len(_titles(room)) == 6
