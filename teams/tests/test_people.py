import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.http import HttpRequest
from django.urls import reverse

from teams.models import Role, Team
from teams.tests.factories import TeamFactory

User = get_user_model()


def test_it_lists_people_filtered_by_team_and_role(client_as, make_person):
    client = client_as(Role.ADMIN)
    make_person(Role.MEMBER, team=TeamFactory(slug=Team.MARKETING), username="mia")
    make_person(Role.SALES_REP, username="riley")

    response = client.get(reverse("teams:people"), {"team": Team.MARKETING})

    assert response.status_code == 200
    usernames = [person.username for person in response.context["people"]]
    assert usernames == ["mia"]
    response = client.get(reverse("teams:people"), {"role": Role.SALES_REP})
    assert [person.username for person in response.context["people"]] == ["riley"]


def test_it_invites_a_person_who_then_chooses_a_password(client_as, client, django_capture_on_commit_callbacks):
    admin_client = client_as(Role.ADMIN)
    sales = TeamFactory(slug=Team.SALES)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("teams:person_new"),
            {
                "username": "newrep",
                "first_name": "Noa",
                "last_name": "Rep",
                "email": "Noa@Example.com",
                "team": sales.pk,
                "role": Role.SALES_REP,
            },
            follow=True,
        )

    assert response.redirect_chain[-1][0] == reverse("teams:people")
    assert "Noa Rep is invited" in response.content.decode()
    person = User.objects.get(username="newrep")
    assert person.email == "noa@example.com"
    assert not person.has_usable_password()
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)

    admin_client.logout()
    form_page = client.get(link, follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": "plum-orchard-42", "new_password2": "plum-orchard-42"})

    assert client.login(request=HttpRequest(), username="newrep", password="plum-orchard-42")


@pytest.mark.parametrize(
    ("role", "team_slug", "message"),
    [
        (Role.SALES_REP, Team.MARKETING, "A sales rep belongs to the Sales team."),
        (Role.MEMBER, None, "Members and sales reps belong to a team."),
    ],
)
def test_it_refuses_a_role_that_does_not_fit_the_team(client_as, role, team_slug, message):
    client = client_as(Role.ADMIN)
    team = TeamFactory(slug=team_slug) if team_slug else None
    data = {"username": "x", "email": "x@example.com", "role": role, "team": team.pk if team else ""}

    response = client.post(reverse("teams:person_new"), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="x").exists()
    assert mail.outbox == []


def test_it_refuses_an_email_already_in_use(client_as, make_person):
    client = client_as(Role.ADMIN)
    make_person(email="taken@example.com")

    response = client.post(
        reverse("teams:person_new"),
        {"username": "y", "email": "TAKEN@example.com", "role": Role.FACILITATOR, "team": ""},
    )

    assert "Someone already uses this email address." in response.content.decode()


def _edit_data(person, **changes):
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "team": person.team_id or "",
        "role": person.role,
        "is_active": "on" if person.is_active else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_it_changes_a_persons_role_and_team(client_as, make_person):
    client = client_as(Role.ADMIN)
    person = make_person(Role.MEMBER, team=TeamFactory(slug=Team.MARKETING))
    sales = TeamFactory(slug=Team.SALES)

    response = client.post(
        reverse("teams:person_edit", args=[person.pk]), _edit_data(person, role=Role.SALES_REP, team=sales.pk)
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.role, person.team) == (Role.SALES_REP, sales)


def test_it_deactivates_a_person_who_then_cannot_sign_in(client_as, make_person):
    client = client_as(Role.ADMIN)
    person = make_person(Role.MEMBER)

    client.post(reverse("teams:person_edit", args=[person.pk]), _edit_data(person, is_active=""))

    person.refresh_from_db()
    assert not person.is_active
    assert not client.login(request=HttpRequest(), username=person.username, password="correct horse battery")


def test_it_keeps_at_least_one_active_admin(client_as):
    client = client_as(Role.ADMIN)
    admin = client.person

    response = client.post(reverse("teams:person_edit", args=[admin.pk]), _edit_data(admin, role=Role.MEMBER))

    assert response.status_code == 200
    assert "at least one active admin" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_it_refuses_to_deactivate_yourself(client_as, make_person):
    client = client_as(Role.ADMIN)
    make_person(Role.ADMIN)
    me = client.person

    response = client.post(reverse("teams:person_edit", args=[me.pk]), _edit_data(me, is_active=""))

    assert "You cannot deactivate your own account." in response.content.decode()
    me.refresh_from_db()
    assert me.is_active


def test_it_answers_404_for_a_person_that_does_not_exist(client_as):
    client = client_as(Role.ADMIN)

    assert client.get(reverse("teams:person_edit", args=[999999])).status_code == 404
