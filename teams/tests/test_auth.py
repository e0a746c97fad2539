import re

from django.core import mail
from django.urls import reverse

from teams.models import Role


def test_it_signs_in_and_lands_on_home(client, make_person):
    make_person(Role.FACILITATOR, username="fran")

    response = client.post(reverse("login"), {"username": "fran", "password": "correct horse battery"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Facilitator home" in response.content.decode()


def test_it_says_plainly_when_the_password_is_wrong(client, make_person):
    make_person(username="fran")

    response = client.post(reverse("login"), {"username": "fran", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_it_signs_out_with_a_post_only(client_as):
    client = client_as(Role.MEMBER)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.url == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_it_changes_the_password(client_as):
    client = client_as(Role.MEMBER)
    person = client.person

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "lilac-kettle-19",
            "new_password2": "lilac-kettle-19",
        },
    )

    assert response.url == reverse("password_change_done")
    person.refresh_from_db()
    assert person.check_password("lilac-kettle-19")


def test_it_resets_a_forgotten_password_by_email(client, make_person):
    person = make_person(email="casey@example.com")

    client.post(reverse("password_reset"), {"email": "casey@example.com"})

    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "copper-meadow-7", "new_password2": "copper-meadow-7"})
    person.refresh_from_db()
    assert person.check_password("copper-meadow-7")


def test_it_tells_that_a_used_reset_link_is_no_longer_valid(client, make_person):
    make_person(email="casey@example.com")
    client.post(reverse("password_reset"), {"email": "casey@example.com"})
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "copper-meadow-7", "new_password2": "copper-meadow-7"})

    response = client.get(link, follow=True)

    assert "This link is no longer valid" in response.content.decode()
