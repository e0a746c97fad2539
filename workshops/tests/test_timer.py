"""A step's timer: started and stopped by the facilitator, stored on the server, counted down on every screen."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from workshops.models import Step, Workshop
from workshops.services.agenda import step_timer_start, step_timer_stop, step_update
from workshops.services.room import WorkshopRefused, step_close, step_open
from workshops.tests.factories import running_workshop

pytestmark = pytest.mark.django_db


def _version(room) -> int:
    return Workshop.objects.get(pk=room.workshop.pk).version


def test_it_starts_the_timer_for_the_steps_planned_minutes():
    room = running_workshop()
    step_update(step=room.step, user=room.facilitator, agenda_revision=1, title=room.step.title, duration_minutes=10)
    before = _version(room)

    step, started = step_timer_start(step=room.step, user=room.facilitator)

    assert started
    assert step.timer_ends_at - step.timer_started_at == datetime.timedelta(minutes=10)
    assert abs(step.timer_started_at - timezone.now()) < datetime.timedelta(seconds=5)
    assert 595 <= step.timer_seconds_left <= 600
    assert _version(room) > before, "every screen polling the workshop fetches the countdown"


def test_it_starts_the_timer_for_the_minutes_given():
    room = running_workshop()

    step, _ = step_timer_start(step=room.step, user=room.facilitator, minutes=3)

    assert step.timer_ends_at - step.timer_started_at == datetime.timedelta(minutes=3)


def test_it_keeps_a_running_timer_when_start_is_clicked_twice():
    room = running_workshop()
    first, _ = step_timer_start(step=room.step, user=room.facilitator, minutes=5)

    second, started = step_timer_start(step=room.step, user=room.facilitator, minutes=5)

    assert not started
    assert second.timer_ends_at == first.timer_ends_at


def test_it_starts_again_once_time_is_up():
    room = running_workshop()
    past = timezone.now() - datetime.timedelta(minutes=1)
    Step.objects.filter(pk=room.step.pk).update(timer_started_at=past, timer_ends_at=past)

    step, started = step_timer_start(step=room.step, user=room.facilitator, minutes=2)

    assert started
    assert step.timer_ends_at > timezone.now()


@pytest.mark.parametrize("minutes", [0, 181])
def test_it_refuses_a_timer_out_of_range(minutes):
    room = running_workshop()

    with pytest.raises(ValidationError):
        step_timer_start(step=room.step, user=room.facilitator, minutes=minutes)

    assert Step.objects.get(pk=room.step.pk).timer_ends_at is None


def test_it_asks_for_minutes_when_the_step_has_no_planned_duration():
    room = running_workshop()

    with pytest.raises(ValidationError, match="How many minutes"):
        step_timer_start(step=room.step, user=room.facilitator)


def test_it_starts_no_timer_on_a_step_that_is_not_open():
    room = running_workshop()
    pending = room.workshop.steps.get(position=0)

    with pytest.raises(WorkshopRefused, match="Open the step"):
        step_timer_start(step=pending, user=room.facilitator, minutes=5)


def test_it_lets_only_the_facilitator_run_the_timer():
    room = running_workshop()

    with pytest.raises(PermissionDenied):
        step_timer_start(step=room.step, user=room.sales, minutes=5)
    with pytest.raises(PermissionDenied):
        step_timer_stop(step=room.step, user=room.sales)


def test_it_stops_the_timer_and_a_second_stop_changes_nothing():
    room = running_workshop()
    step_timer_start(step=room.step, user=room.facilitator, minutes=5)

    step = step_timer_stop(step=room.step, user=room.facilitator)
    version = _version(room)
    step_timer_stop(step=room.step, user=room.facilitator)

    assert (step.timer_started_at, step.timer_ends_at) == (None, None)
    assert _version(room) == version


def test_it_does_not_close_the_step_when_time_is_up_and_closing_clears_the_timer():
    room = running_workshop()
    past = timezone.now() - datetime.timedelta(seconds=1)
    Step.objects.filter(pk=room.step.pk).update(timer_started_at=past, timer_ends_at=past)

    step = Step.objects.get(pk=room.step.pk)
    assert step.is_open
    assert step.timer_seconds_left == 0
    assert not step.timer_running

    step_close(step=step, user=room.facilitator)
    assert Step.objects.filter(pk=step.pk, timer_started_at=None, timer_ends_at=None).exists()


def test_it_clears_the_timer_of_the_step_closed_by_opening_another():
    room = running_workshop()
    step_timer_start(step=room.step, user=room.facilitator, minutes=5)

    step_open(step=room.workshop.steps.get(position=4), user=room.facilitator)

    assert Step.objects.get(pk=room.step.pk).timer_ends_at is None


def _signed_in(client, user):
    client.force_login(user)
    return client


def test_it_shows_every_participant_the_time_left_from_the_servers_end_time(client):
    room = running_workshop()
    step_timer_start(step=room.step, user=room.facilitator, minutes=5)
    _signed_in(client, room.sales)

    for url in (reverse("workshops:step", args=[room.step.pk]), reverse("workshops:bar", args=[room.step.pk])):
        html = client.get(url).content.decode()
        seconds = int(re.search(r'data-seconds-left="(\d+)"', html).group(1))
        assert 295 <= seconds <= 300, "a reload starts from the stored end, not from the full 5 minutes"
        assert re.search(r"\b[45]:\d\d left", html)
        assert "Time is up" not in html


def test_it_shows_time_up_without_closing_the_step(client):
    room = running_workshop()
    past = timezone.now() - datetime.timedelta(minutes=2)
    Step.objects.filter(pk=room.step.pk).update(timer_started_at=past, timer_ends_at=past)
    _signed_in(client, room.sales)

    html = client.get(reverse("workshops:step", args=[room.step.pk])).content.decode()

    assert 'data-seconds-left="0"' in html
    assert "Time is up" in html
    assert "This step is <strong>open</strong>" in html


def test_it_starts_and_stops_the_timer_from_the_board(client):
    room = running_workshop()
    _signed_in(client, room.facilitator)
    url = reverse("workshops:step_timer", args=[room.step.pk])

    started = client.post(url, {"action": "start", "minutes": 7})
    running = Step.objects.get(pk=room.step.pk)
    again = client.post(url, {"action": "start", "minutes": 7}, follow=True)
    stopped = client.post(url, {"action": "stop"})

    assert started.status_code == 302
    assert running.timer_ends_at - running.timer_started_at == datetime.timedelta(minutes=7)
    assert "already running" in again.content.decode()
    assert stopped.status_code == 302
    assert Step.objects.get(pk=room.step.pk).timer_ends_at is None


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"action": "start", "minutes": 999}, 400, "1 to 180 minutes"),
        ({"action": "explode"}, 400, "Start or stop"),
        ({"action": "start"}, 400, "How many minutes"),
    ],
)
def test_it_answers_bad_timer_input_with_a_message_and_4xx(client, data, status, message):
    room = running_workshop()
    _signed_in(client, room.facilitator)

    response = client.post(reverse("workshops:step_timer", args=[room.step.pk]), data)

    assert response.status_code == status
    assert message in response.content.decode()
    assert Step.objects.get(pk=room.step.pk).timer_ends_at is None


def test_it_answers_409_to_a_timer_on_a_pending_step(client):
    room = running_workshop()
    _signed_in(client, room.facilitator)
    pending = room.workshop.steps.get(position=0)

    response = client.post(reverse("workshops:step_timer", args=[pending.pk]), {"action": "start", "minutes": 5})

    assert response.status_code == 409
    assert "Open the step before starting its timer" in response.content.decode()


def test_it_keeps_every_script_of_the_workshop_pages_in_static_files(client):
    room = running_workshop()
    step_timer_start(step=room.step, user=room.facilitator, minutes=5)
    pages = []
    _signed_in(client, room.sales)
    pages.append(client.get(reverse("workshops:step", args=[room.step.pk])).content.decode())
    _signed_in(client, room.facilitator)
    pages.append(client.get(reverse("workshops:board", args=[room.step.pk])).content.decode())
    pages.append(client.get(reverse("workshops:agenda", args=[room.workshop.pk])).content.decode())
    pages.append(client.get(reverse("workshops:people", args=[room.workshop.pk])).content.decode())

    for html in pages:
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.DOTALL)
        assert scripts, "the pages load their scripts"
        assert all('src="' in attributes and not body.strip() for attributes, body in scripts), "no inline script"
        assert not re.search(r"\son[a-z]+=", html), "no inline event handler"
        assert "hx-on" not in html
        assert "javascript:" not in html
    assert "/static/workshops/countdown.js" in pages[0]
    assert "/static/workshops/propose.js" in pages[0]
    assert "/static/workshops/countdown.js" in pages[1]
