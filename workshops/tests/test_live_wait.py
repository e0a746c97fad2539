"""Long polling (workshops/live_wait.py): a live region's unchanged poll waits in the server for the change."""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from workshops import live
from workshops.live_wait import VersionWatch
from workshops.services.presence import presence_forget
from workshops.tests.factories import item, running_workshop

# The watcher's thread reads the versions with its own connection: the changes must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

WAITING = {"HX-Request": "true", "X-Live-Wait": "1"}
THREADED = {"wsgi.multithread": True}  # as gunicorn's gthread workers and runserver say


@pytest.fixture(autouse=True)
def _short_waits(settings):
    settings.LIVE_WAIT_SECONDS = 3
    presence_forget()
    yield
    deadline = time.monotonic() + 2
    while live._watch._thread is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    presence_forget()


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Held(threading.Thread):
    """One poll, asked in a thread of its own; notes when its answer came."""

    def __init__(self, client: Client, url: str, etag: str, headers=WAITING, environ=THREADED):
        super().__init__(daemon=True)
        self.client, self.url, self.etag, self.headers, self.environ = client, url, etag, headers, environ
        self.response = None

    def run(self):
        self.started = time.monotonic()
        try:
            headers = {**self.headers, "If-None-Match": self.etag}
            self.response = self.client.get(self.url, headers=headers, **self.environ)
        finally:
            self.answered = time.monotonic()
            connection.close()


def _room_and_poll(region="proposals"):
    room = running_workshop()
    client = _signed_in(room.facilitator if region == "board" else room.sales)
    name = "workshops:board_live" if region == "board" else "workshops:proposals"
    url = reverse(name, args=[room.step.pk])
    first = client.get(url, headers={"HX-Request": "true"})
    assert first.status_code == 200
    return room, client, url, first["ETag"]


def _clear_of_the_boards_clock(margin: float = 4.0) -> None:
    """The board's ETag moves with the clock every PRESENCE_REFRESH_SECONDS (presence): start well before the
    next move, or a waiting board poll rightly answers it instead of the change a test makes."""
    left = live.PRESENCE_REFRESH_SECONDS - time.time() % live.PRESENCE_REFRESH_SECONDS
    if left < margin:
        time.sleep(left + 0.05)


@pytest.mark.parametrize("region", ["proposals", "board"])
def test_an_unchanged_poll_waits_and_answers_the_change_as_soon_as_it_is_committed(region):
    if region == "board":
        _clear_of_the_boards_clock()
    room, client, url, etag = _room_and_poll(region)
    poll = Held(client, url, etag)
    poll.start()
    time.sleep(0.6)
    assert poll.is_alive(), "the poll answered before anything changed"

    changed_at = time.monotonic()
    item(room, author=room.marketing, text="Onboarding takes a quarter")
    poll.join(timeout=5)

    assert poll.response.status_code == 200
    assert "Onboarding takes a quarter" in poll.response.content.decode()
    assert poll.response["ETag"] != etag
    assert poll.answered - changed_at < 1.0  # WATCH_SECONDS and one render, with room for a busy machine


def test_a_poll_nothing_answers_gets_its_304_after_the_wait(settings):
    settings.LIVE_WAIT_SECONDS = 0.8
    _, client, url, etag = _room_and_poll()
    poll = Held(client, url, etag)
    poll.start()
    poll.join(timeout=5)

    assert poll.response.status_code == 304
    assert poll.answered - poll.started >= 0.75


@pytest.mark.parametrize(
    ("why", "headers", "environ"),
    [
        ("a server of one request at a time per process (gunicorn sync workers)", WAITING, {}),
        ("a poll that did not ask to wait", {"HX-Request": "true"}, THREADED),
    ],
)
def test_it_answers_304_at_once_when_it_must_not_wait(why, headers, environ):
    _, client, url, etag = _room_and_poll()
    poll = Held(client, url, etag, headers=headers, environ=environ)
    poll.start()
    poll.join(timeout=5)

    assert poll.response.status_code == 304, why
    assert poll.answered - poll.started < 1.0, why


def test_waiting_is_off_when_the_setting_says_so(settings):
    settings.LIVE_WAIT_SECONDS = 0
    _, client, url, etag = _room_and_poll()
    poll = Held(client, url, etag)
    poll.start()
    poll.join(timeout=5)

    assert poll.response.status_code == 304
    assert poll.answered - poll.started < 1.0


def test_eight_polls_wait_together_and_the_watch_stops_after_them(settings):
    settings.LIVE_WAIT_SECONDS = 1.5
    room, _, url, _ = _room_and_poll()
    clients = [_signed_in(user) for user in (room.sales, room.marketing, room.success, room.facilitator) * 2]
    etags = [client.get(url, headers={"HX-Request": "true"})["ETag"] for client in clients]
    polls = [Held(client, url, etag) for client, etag in zip(clients, etags, strict=True)]
    for poll in polls:
        poll.start()
    time.sleep(0.7)
    assert all(poll.is_alive() for poll in polls)
    assert live._watch._thread is not None
    for poll in polls:
        poll.join(timeout=5)

    assert {poll.response.status_code for poll in polls} == {304}
    deadline = time.monotonic() + 2
    while live._watch._thread is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert live._watch._thread is None


def test_a_forged_etag_is_not_held_it_goes_the_full_way():
    room, client, url, etag = _room_and_poll()
    outsider_etag = etag.replace(".", "x", 1)
    poll = Held(client, url, outsider_etag)
    poll.start()
    poll.join(timeout=5)

    assert poll.response.status_code == 200
    assert poll.answered - poll.started < 1.0


@pytest.mark.django_db(transaction=False)
def test_the_watch_outlives_a_failed_read_and_still_wakes_its_waiters():
    reads = []

    def read(workshop_ids):
        reads.append(list(workshop_ids))
        if len(reads) == 1:
            raise RuntimeError("the database went away")
        return {7: (2, 1)}

    watch = VersionWatch(read, slots=2)
    started = time.monotonic()
    changed = watch.wait(7, lambda row: row == (1, 1), timeout=5)

    assert changed is True
    assert len(reads) >= 2
    assert reads[0] == [7]
    assert time.monotonic() - started < 3


@pytest.mark.django_db(transaction=False)
def test_no_more_than_its_slots_wait_at_once_in_a_process_the_others_answer_at_once():
    watch = VersionWatch(lambda workshop_ids: {}, slots=1)
    first = threading.Thread(target=watch.wait, args=(7, lambda row: True, 1.0), daemon=True)
    first.start()
    time.sleep(0.2)

    started = time.monotonic()
    assert watch.wait(7, lambda row: True, 1.0) is None  # no slot: did not wait
    assert time.monotonic() - started < 0.5
    first.join(timeout=3)
    assert watch.wait(7, lambda row: True, 0.1) is False  # the slot is free again: waited, nothing changed
