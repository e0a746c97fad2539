"""Inviting after creation and taking an invitation back: services and the facilitator's page."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from teams.models import Role, Team
from workshops.models import Participant, Vote
from workshops.services.closing import workshop_close
from workshops.services.room import WorkshopRefused, comment_add, participant_remove, participants_invite, vote_cast
from workshops.tests.factories import item, person, running_workshop

pytestmark = pytest.mark.django_db


def _invited(room) -> set[int]:
    return set(Participant.objects.filter(workshop=room.workshop).values_list("user_id", flat=True))


def _signed_in(client, user):
    client.force_login(user)
    return client


def test_it_takes_back_the_invitation_of_someone_who_has_not_acted():
    room = running_workshop()

    assert participant_remove(workshop=room.workshop, person=room.success, user=room.facilitator)

    assert room.success.pk not in _invited(room)


def test_it_takes_back_an_invitation_once_when_asked_twice():
    room = running_workshop()
    participant_remove(workshop=room.workshop, person=room.success, user=room.facilitator)

    assert not participant_remove(workshop=room.workshop, person=room.success, user=room.facilitator)


@pytest.mark.parametrize("act", ["proposed", "voted", "commented"])
def test_it_keeps_the_invitation_of_someone_who_acted(act):
    room = running_workshop()
    proposal = item(room, author=room.marketing)
    if act == "proposed":
        item(room, author=room.sales, text="Mine")
    elif act == "voted":
        vote_cast(proposal=proposal, user=room.sales)
    else:
        comment_add(proposal=proposal, user=room.sales, text="Yes")

    with pytest.raises(WorkshopRefused, match="already proposed, voted or commented"):
        participant_remove(workshop=room.workshop, person=room.sales, user=room.facilitator)

    assert room.sales.pk in _invited(room)


def test_it_refuses_a_vote_from_someone_whose_invitation_was_taken_back():
    room = running_workshop()
    proposal = item(room)
    participant_remove(workshop=room.workshop, person=room.sales, user=room.facilitator)

    with pytest.raises(PermissionDenied):
        vote_cast(proposal=proposal, user=room.sales)

    assert not Vote.objects.exists()


def test_it_lets_only_the_facilitator_invite_and_uninvite():
    room = running_workshop()
    newcomer = person(Role.MEMBER, Team.SALES)

    for somebody in (room.sales, person(Role.ADMIN, Team.SALES), person(Role.FACILITATOR, Team.SALES)):
        with pytest.raises(PermissionDenied):
            participants_invite(workshop=room.workshop, users=[newcomer], user=somebody)
        with pytest.raises(PermissionDenied):
            participant_remove(workshop=room.workshop, person=room.success, user=somebody)

    assert _invited(room) == {member.pk for member in room.members}


def test_it_invites_nobody_into_a_closed_workshop_and_keeps_its_people():
    room = running_workshop()
    workshop_close(workshop=room.workshop, user=room.facilitator)

    with pytest.raises(WorkshopRefused):
        participants_invite(workshop=room.workshop, users=[person(Role.MEMBER, Team.SALES)], user=room.facilitator)
    with pytest.raises(WorkshopRefused):
        participant_remove(workshop=room.workshop, person=room.success, user=room.facilitator)

    assert _invited(room) == {member.pk for member in room.members}


def test_it_invites_a_whole_team_and_people_ticked_by_team(client):
    room = running_workshop()
    sales_team = room.sales.team
    more_sales = [person(Role.MEMBER, Team.SALES) for _ in range(2)]
    inactive = person(Role.MEMBER, Team.SALES, is_active=False)
    marketer = person(Role.MEMBER, Team.MARKETING)
    _signed_in(client, room.facilitator)

    page = client.get(reverse("workshops:people", args=[room.workshop.pk])).content.decode()
    response = client.post(
        reverse("workshops:invite", args=[room.workshop.pk]), {"teams": [sales_team.pk], "people": [marketer.pk]}
    )

    assert marketer.display_name in page
    assert response.status_code == 302
    invited = _invited(room)
    assert {user.pk for user in more_sales} | {marketer.pk} <= invited
    assert inactive.pk not in invited
    assert room.facilitator.pk not in invited
    assert Participant.objects.get(workshop=room.workshop, user=marketer).team.name == "Marketing"


def test_it_invites_once_when_the_form_is_sent_twice(client):
    room = running_workshop()
    newcomer = person(Role.MEMBER, Team.CUSTOMER_SUCCESS)
    _signed_in(client, room.facilitator)
    url = reverse("workshops:invite", args=[room.workshop.pk])

    first = client.post(url, {"people": [newcomer.pk]}, follow=True)
    second = client.post(url, {"people": [newcomer.pk]}, follow=True)

    assert "1 person is invited" in first.content.decode()
    assert "nobody new" in second.content.decode()
    assert Participant.objects.filter(workshop=room.workshop, user=newcomer).count() == 1


@pytest.mark.parametrize("data", [{}, {"people": ["nobody"]}, {"teams": [999999]}])
def test_it_answers_an_invitation_without_anyone_valid_with_400(client, data):
    room = running_workshop()
    _signed_in(client, room.facilitator)

    response = client.post(reverse("workshops:invite", args=[room.workshop.pk]), data)

    assert response.status_code == 400
    assert "Nobody was invited" in response.content.decode()
    assert len(_invited(room)) == 3


def test_it_uninvites_from_the_page_and_a_second_click_changes_nothing(client):
    room = running_workshop()
    _signed_in(client, room.facilitator)
    url = reverse("workshops:uninvite", args=[room.workshop.pk, room.success.pk])

    first = client.post(url, follow=True)
    second = client.post(url, follow=True)

    assert "is no longer invited" in first.content.decode()
    assert "nothing changed" in second.content.decode()
    assert second.status_code == 200
    assert room.success.pk not in _invited(room)


def test_it_answers_409_to_uninviting_someone_who_voted(client):
    room = running_workshop()
    vote_cast(proposal=item(room), user=room.sales)
    _signed_in(client, room.facilitator)

    response = client.post(reverse("workshops:uninvite", args=[room.workshop.pk, room.sales.pk]))

    assert response.status_code == 409
    assert "their invitation stays" in response.content.decode()
    assert room.sales.pk in _invited(room)


def test_it_shows_who_acted_and_offers_removal_only_for_the_others(client):
    room = running_workshop()
    item(room, author=room.marketing)
    _signed_in(client, room.facilitator)

    html = client.get(reverse("workshops:people", args=[room.workshop.pk])).content.decode()

    assert reverse("workshops:uninvite", args=[room.workshop.pk, room.sales.pk]) in html
    assert reverse("workshops:uninvite", args=[room.workshop.pk, room.marketing.pk]) not in html
    assert "has proposed, voted or commented" in html


def test_it_refuses_the_people_pages_to_participants_and_other_facilitators_with_403(client):
    room = running_workshop()
    urls = [
        ("get", reverse("workshops:people", args=[room.workshop.pk]), {}),
        ("post", reverse("workshops:invite", args=[room.workshop.pk]), {"people": [room.sales.pk]}),
        ("post", reverse("workshops:uninvite", args=[room.workshop.pk, room.success.pk]), {}),
    ]
    for somebody in (room.sales, person(Role.FACILITATOR, Team.SALES), person(Role.ADMIN, Team.SALES)):
        _signed_in(client, somebody)
        for method, url, data in urls:
            assert getattr(client, method)(url, data).status_code == 403

    assert room.success.pk in _invited(room)
