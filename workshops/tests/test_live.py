"""The live regions' cheap 304, following the facilitator, presence, and the board worth projecting."""

from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from profiles.models import Section
from teams.models import Role, Team
from workshops import live
from workshops.models import Participant, Proposal
from workshops.presence import PRESENT_SECONDS, presence_state
from workshops.services.presence import presence_forget
from workshops.services.room import comment_add, participant_remove, step_open
from workshops.tests.factories import item, person, running_workshop

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _presence_forgotten():
    presence_forget()
    yield
    presence_forget()


def _poll(client, url, etag=None):
    return client.get(url, headers={**HTMX, **({"If-None-Match": etag} if etag else {})})


# The cheap 304.


def test_it_answers_an_unchanged_poll_304_without_loading_the_session_or_the_person(client):
    room = running_workshop()
    client.force_login(room.sales)
    url = reverse("workshops:proposals", args=[room.step.pk])
    etag = _poll(client, url)["ETag"]

    with CaptureQueriesContext(connection) as queries:
        unchanged = _poll(client, url, etag)

    assert unchanged.status_code == 304
    assert unchanged["HX-Reswap"] == "none"
    assert len(queries) == 1, [query["sql"] for query in queries]
    assert "workshops_workshop" in queries[0]["sql"]
    assert "django_session" not in queries[0]["sql"]


def test_the_304_is_answered_before_the_rest_of_the_middleware_and_leaves_no_access_line(client, caplog):
    room = running_workshop()
    client.force_login(room.sales)
    url = reverse("workshops:proposals", args=[room.step.pk])
    first = _poll(client, url)

    with caplog.at_level("INFO", logger="ops.access"):
        unchanged = _poll(client, url, first["ETag"])
        item(room, text="Fresh idea")
        changed = _poll(client, url, first["ETag"])

    # The request-id middleware (second in MIDDLEWARE) never saw the 304; it did see the 200.
    assert (unchanged.status_code, changed.status_code) == (304, 200)
    assert "X-Request-ID" not in unchanged
    assert "X-Request-ID" in changed
    assert {record.status for record in caplog.records if record.name == "ops.access"} == {200}


def test_a_database_error_in_the_cheap_304_goes_the_full_way_not_to_a_500(client, monkeypatch):
    room = running_workshop()
    client.force_login(room.sales)
    url = reverse("workshops:proposals", args=[room.step.pk])
    etag = _poll(client, url)["ETag"]

    def lost(workshop_id):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(live, "_versions", lost)  # the connection lost just as the 304 asks for the version

    # The full path reads the database anew: here it is back, and the region is still current.
    assert _poll(client, url, etag).status_code == 304


def test_a_changed_version_answers_200_with_the_change_and_a_new_etag(client):
    room = running_workshop()
    client.force_login(room.sales)
    url = reverse("workshops:proposals", args=[room.step.pk])
    etag = _poll(client, url)["ETag"]

    item(room, text="Fresh idea")
    changed = _poll(client, url, etag)

    assert changed.status_code == 200
    assert "Fresh idea" in changed.content.decode()
    assert changed["ETag"] != etag
    assert _poll(client, url, changed["ETag"]).status_code == 304


@pytest.mark.parametrize("region", ["proposals", "bar"])
def test_a_members_etag_gets_an_outsider_nothing_but_403(client, region):
    room = running_workshop()
    client.force_login(room.sales)
    url = reverse(f"workshops:{region}", args=[room.step.pk])
    etag = _poll(client, url)["ETag"]

    client.force_login(person(Role.MEMBER, Team.SALES))  # another session: the signature no longer matches

    assert _poll(client, url, etag).status_code == 403
    assert _poll(client, url, "garbage").status_code == 403


def test_the_board_etag_of_the_facilitator_gets_a_participant_403(client):
    room = running_workshop()
    client.force_login(room.facilitator)
    url = reverse("workshops:board_live", args=[room.step.pk])
    for _ in range(3):  # the board's ETag moves every PRESENCE_REFRESH_SECONDS: two polls may straddle that
        etag = _poll(client, url)["ETag"]
        unchanged = _poll(client, url, etag)
        if unchanged.status_code == 304:
            break
    assert unchanged.status_code == 304

    client.force_login(room.sales)

    assert _poll(client, url, etag).status_code == 403


def test_an_etag_forged_for_another_step_is_not_taken(client):
    room, other = running_workshop(), running_workshop()
    client.force_login(room.sales)
    etag = _poll(client, reverse("workshops:proposals", args=[room.step.pk]))["ETag"]

    assert _poll(client, reverse("workshops:proposals", args=[other.step.pk]), etag).status_code == 403


def test_someone_whose_invitation_is_taken_back_gets_403_at_the_next_poll(client):
    room = running_workshop()
    client.force_login(room.sales)
    url = reverse("workshops:proposals", args=[room.step.pk])
    etag = _poll(client, url)["ETag"]

    participant_remove(workshop=room.workshop, person=room.sales, user=room.facilitator)

    assert _poll(client, url, etag).status_code == 403


def test_an_anonymous_poll_with_a_copied_etag_goes_to_the_login(client):
    room = running_workshop()
    client.force_login(room.sales)
    url = reverse("workshops:proposals", args=[room.step.pk])
    etag = _poll(client, url)["ETag"]
    client.logout()

    response = _poll(client, url, etag)

    assert response.status_code == 302
    assert "/login" in response["Location"]


# Follow the facilitator.


def _bar(client, step, open_step_when_drawn):
    url = reverse("workshops:bar", args=[step.pk]) + f"?open={open_step_when_drawn}"
    return _poll(client, url)


def test_a_following_participant_is_sent_to_the_step_the_facilitator_opens(client):
    room = running_workshop()
    client.force_login(room.sales)
    page = client.get(reverse("workshops:step", args=[room.step.pk])).content.decode()
    assert f"?open={room.step.pk}" in page
    assert "Stay here" in page

    next_step = room.workshop.steps.get(position=4)
    step_open(step=next_step, user=room.facilitator)
    response = _bar(client, room.step, room.step.pk)

    assert response["HX-Redirect"] == reverse("workshops:step", args=[next_step.pk])


def test_the_bar_stays_put_while_the_open_step_is_the_one_drawn(client):
    room = running_workshop()
    client.force_login(room.sales)

    response = _bar(client, room.step, room.step.pk)

    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert "HX-Refresh" not in response


def test_a_participant_who_stays_here_keeps_the_step_and_sees_it_closed(client):
    room = running_workshop()
    client.force_login(room.sales)
    stayed = client.post(reverse("workshops:stay", args=[room.step.pk]))
    assert stayed.status_code == 302

    next_step = room.workshop.steps.get(position=4)
    step_open(step=next_step, user=room.facilitator)
    response = _bar(client, room.step, room.step.pk)
    page = client.get(reverse("workshops:step", args=[room.step.pk])).content.decode()

    assert "HX-Redirect" not in response
    assert response["HX-Refresh"] == "true"
    assert "You stay on this step" in page
    assert "Follow the facilitator" in page
    assert 'data-testid="closed-reason"' in page


def test_follow_again_goes_to_the_open_step(client):
    room = running_workshop()
    client.force_login(room.sales)
    client.post(reverse("workshops:stay", args=[room.step.pk]))
    next_step = room.workshop.steps.get(position=4)
    step_open(step=next_step, user=room.facilitator)

    response = client.post(reverse("workshops:follow", args=[room.step.pk]))

    assert response["Location"] == reverse("workshops:step", args=[next_step.pk])
    assert f"workshop-{room.workshop.pk}-stay" not in client.session


@pytest.mark.parametrize("view", ["workshops:stay", "workshops:follow"])
def test_someone_not_invited_cannot_stay_or_follow_403_and_nothing_changes(client, view):
    room = running_workshop()
    client.force_login(person(Role.MEMBER, Team.SALES))

    response = client.post(reverse(view, args=[room.step.pk]))

    assert response.status_code == 403
    assert not any(key.startswith("workshop-") for key in client.session.keys())  # noqa: SIM118 (a session is not iterable)


def test_the_facilitator_is_never_moved(client):
    room = running_workshop()
    client.force_login(room.facilitator)
    step_open(step=room.workshop.steps.get(position=4), user=room.facilitator)

    response = _bar(client, room.step, room.step.pk)

    assert "HX-Redirect" not in response
    assert "HX-Refresh" not in response


# A closed step: forms drawn disabled, and the server still refuses.


def test_a_closed_steps_form_is_drawn_disabled_with_the_reason(client):
    room = running_workshop()
    step_open(step=room.workshop.steps.get(position=4), user=room.facilitator)
    client.force_login(room.sales)

    html = client.get(reverse("workshops:step", args=[room.step.pk])).content.decode()
    open_html = client.get(reverse("workshops:step", args=[room.workshop.steps.get(position=4).pk])).content.decode()

    assert "This step is closed" in html
    assert "disabled>" in html.split('data-testid="closed-reason"')[1].split('id="propose-form"')[0]
    assert 'data-testid="closed-reason"' not in open_html


def test_proposing_on_a_closed_step_answers_409_and_writes_nothing(client):
    room = running_workshop()
    step_open(step=room.workshop.steps.get(position=4), user=room.facilitator)
    client.force_login(room.sales)

    response = client.post(
        reverse("workshops:propose", args=[room.step.pk]),
        {"section": Section.PAIN_POINTS, "text": "Too late"},
        headers=HTMX,
    )

    assert response.status_code == 409
    assert "This step is closed" in response.content.decode()
    assert not Proposal.objects.exists()


# Presence.


@pytest.mark.parametrize(
    ("joined", "seen_seconds_ago", "state"),
    [(False, None, "not yet"), (True, 1, "here"), (True, PRESENT_SECONDS, "here"), (True, PRESENT_SECONDS + 1, "left")],
)
def test_presence_is_a_poll_seen_in_the_last_seconds(joined, seen_seconds_ago, state):
    now = timezone.now()
    seat = Participant(
        joined_at=now - timedelta(minutes=5) if joined else None,
        last_seen_at=None if seen_seconds_ago is None else now - timedelta(seconds=seen_seconds_ago),
    )
    assert presence_state(seat, now) == state


def test_a_poll_marks_the_person_here_and_the_board_shows_who_left(client):
    room = running_workshop()
    client.force_login(room.sales)
    client.get(reverse("workshops:step", args=[room.step.pk]))
    long_ago = timezone.now() - timedelta(seconds=PRESENT_SECONDS + 30)
    Participant.objects.filter(user=room.marketing).update(joined_at=long_ago, last_seen_at=long_ago)
    Participant.objects.filter(user=room.sales).update(last_seen_at=long_ago)

    presence_forget()  # this process wrote sales' presence at the page's load: more than 5 s ago, say
    _poll(client, reverse("workshops:proposals", args=[room.step.pk]))  # sales polls: here again
    client.force_login(room.facilitator)
    html = client.get(reverse("workshops:board", args=[room.step.pk])).content.decode()

    assert f"{room.sales.display_name} · Sales: here" in html
    assert f"{room.marketing.display_name} · Marketing: left" in html
    assert f"{room.success.display_name} · Customer Success: not come yet" in html


# The board.


def test_the_board_puts_new_proposals_first_marked_new_with_their_comments_and_states_its_rule(client):
    room = running_workshop()
    old = item(room, text="Known before the board opened")
    client.force_login(room.facilitator)
    page = client.get(reverse("workshops:board", args=[room.step.pk])).content.decode()
    assert f'"seen": "{old.pk}"' in page

    fresh = item(room, author=room.sales, text="Brand new pain")
    comment_add(proposal=fresh, user=room.success, text="Only in enterprise accounts")
    url = reverse("workshops:board_live", args=[room.step.pk]) + f"?seen={old.pk}"
    html = _poll(client, url).content.decode()

    assert html.index("Brand new pain") < html.index("Known before the board opened")
    assert html.count('data-testid="new"') == 1
    assert "Only in enterprise accounts" in html
    assert "at least 4 dots on the proposal" in html
    assert "more than 25 points apart" in html
