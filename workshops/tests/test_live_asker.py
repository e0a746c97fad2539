"""A poll woken by a change is answered without the session middleware (live.py's ``_woken_answer``, who asks read
by live_asker.py): the same region as the full path, only to a session that still signs the person in."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client
from django.urls import reverse

from workshops.models import Privacy
from workshops.services.privacy import step_privacy_set
from workshops.services.room import participant_remove, workshop_touch
from workshops.tests.factories import item, running_workshop

# _short_waits: test_live_wait's own set-up and clean-up of the waits, for these tests too (autouse).
from workshops.tests.test_live_wait import Held, _short_waits, _signed_in  # noqa: F401

# The watcher's thread reads the versions with its own connection: the changes must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def _waiting_poll(room, user, client=None):
    """``user``'s proposals poll, asked with the ETag they have and waiting for a change."""
    if client is None:
        client = _signed_in(user)
    else:
        client.force_login(user)
    url = reverse("workshops:proposals", args=[room.step.pk])
    first = client.get(url, headers={"HX-Request": "true"})
    assert first.status_code == 200
    poll = Held(client, url, first["ETag"])
    poll.start()
    time.sleep(0.5)
    assert poll.is_alive(), "the poll answered before anything changed"
    return client, url, poll


def _answer(poll):
    poll.join(timeout=5)
    assert not poll.is_alive()
    return poll.response


def test_a_woken_poll_gets_the_region_the_full_path_draws_without_the_middleware():
    room = running_workshop()
    item(room, author=room.marketing, text="Onboarding takes a quarter")
    client, url, poll = _waiting_poll(room, room.sales, Client(enforce_csrf_checks=True))
    item(room, author=room.sales, text="Renewals slip past the quarter")
    woken = _answer(poll)

    assert woken.status_code == 200
    assert "X-Request-ID" not in woken  # answered before the rest of the middleware
    full = client.get(url, headers={"HX-Request": "true"})
    assert "X-Request-ID" in full
    assert woken["ETag"] == full["ETag"]
    assert TOKEN.sub("", woken.content.decode()) == TOKEN.sub("", full.content.decode())
    assert "Renewals slip past the quarter" in woken.content.decode()
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Content-Security-Policy", "Cache-Control"):
        assert woken[header] == full[header], header
    # The vote buttons carry a token the CSRF check accepts for this person.
    vote_url = reverse("workshops:vote", args=[room.step.proposals.get(text__startswith="Onboarding").pk])
    token = TOKEN.search(woken.content.decode()).group(1)
    voted = client.post(vote_url, {"value": "1", "csrfmiddlewaretoken": token}, headers={"HX-Request": "true"})
    assert voted.status_code == 200


def _sign_out_elsewhere(room, client):
    Session.objects.filter(session_key=client.cookies["sessionid"].value).delete()


def _change_password(room, client):
    room.sales.set_password("a new password, elsewhere")
    room.sales.save()


def _deactivate(room, client):
    room.sales.is_active = False
    room.sales.save()


@pytest.mark.parametrize("end", [_sign_out_elsewhere, _change_password, _deactivate])
def test_a_poll_whose_session_stopped_signing_the_person_in_while_it_waited_gets_no_news(end):
    room = running_workshop()
    client, _, poll = _waiting_poll(room, room.sales)
    end(room, client)
    item(room, author=room.marketing, text="Onboarding takes a quarter")
    answer = _answer(poll)

    assert answer.status_code == 302  # to the sign-in page, as any request without a signed-in person
    assert "Onboarding takes a quarter" not in answer.content.decode()


def test_a_person_whose_invitation_is_taken_back_while_waiting_gets_403():
    room = running_workshop()
    _, _, poll = _waiting_poll(room, room.sales)
    # Committed together, so the poll wakes to both (woken by the proposal alone, it would rightly show it to a
    # person still invited at that moment).
    with transaction.atomic():
        item(room, author=room.marketing, text="Onboarding takes a quarter")
        participant_remove(workshop=room.workshop, person=room.sales, user=room.facilitator)
    answer = _answer(poll)

    assert answer.status_code == 403
    assert "Onboarding takes a quarter" not in answer.content.decode()


def test_in_a_private_step_a_woken_poll_shows_the_person_only_their_own():
    room = running_workshop()
    step_privacy_set(step=room.step, user=room.facilitator, privacy=Privacy.PRIVATE)
    item(room, author=room.sales, text="Renewals slip past the quarter")
    _, _, poll = _waiting_poll(room, room.sales)
    item(room, author=room.marketing, text="Onboarding takes a quarter")
    answer = _answer(poll)

    assert answer.status_code == 200
    assert "X-Request-ID" not in answer
    assert "Renewals slip past the quarter" in answer.content.decode()
    assert "Onboarding takes a quarter" not in answer.content.decode()


def test_woken_polls_of_one_version_get_each_their_own_part():
    room = running_workshop()
    proposal = item(room, author=room.marketing, text="Onboarding takes a quarter")
    polls = [_waiting_poll(room, user)[2] for user in (room.marketing, room.sales, room.facilitator)]
    workshop_touch(room.workshop.pk)
    marketing, sales, facilitator = (_answer(poll) for poll in polls)

    edit = reverse("workshops:proposal_edit", args=[proposal.pk])
    vote = reverse("workshops:vote", args=[proposal.pk])
    assert all("X-Request-ID" not in answer for answer in (marketing, sales, facilitator))
    assert edit in marketing.content.decode()  # its author
    assert edit in facilitator.content.decode()
    assert edit not in sales.content.decode()
    assert vote in sales.content.decode()
    assert vote not in facilitator.content.decode()  # the facilitator does not vote
    assert len({marketing["ETag"], sales["ETag"], facilitator["ETag"]}) == 3
