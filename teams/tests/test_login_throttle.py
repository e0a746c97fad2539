"""Sign-in throttling (django-axes): too many wrong passwords lock a username out from one address for a while."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from teams.models import Role
from teams.services import api_token_create

GOOD = "correct horse battery"
HOME = "10.0.0.7"


def _sign_in(client, username, password, address=HOME):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail_up_to_the_limit(client, username, address=HOME):
    """Wrong passwords up to the limit; returns the answer to the last one."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _sign_in(client, username, "wrong", address)
        assert response.status_code == 200, "refused, not yet locked out"
    return _sign_in(client, username, "wrong", address)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_it_has_a_limit_and_a_cool_off_worth_the_name():
    assert 3 <= settings.AXES_FAILURE_LIMIT <= 10
    assert datetime.timedelta(minutes=5) <= settings.AXES_COOLOFF_TIME
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_it_locks_out_after_the_failure_limit_with_a_clear_message(client, make_person):
    make_person(username="fran")

    response = _fail_up_to_the_limit(client, "fran")

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many sign-in attempts" in page
    assert f"in {settings.LOGIN_LOCKOUT_MINUTES} minutes" in page
    assert response["Retry-After"] == str(settings.LOGIN_LOCKOUT_MINUTES * 60)
    assert "Reset it by email" in page


def test_it_refuses_the_right_password_while_locked_out(client, make_person):
    make_person(username="fran")
    _fail_up_to_the_limit(client, "fran")

    response = _sign_in(client, "fran", GOOD)

    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert not _signed_in(client)


def test_it_lets_the_right_password_in_once_the_cool_off_has_passed(client, make_person):
    make_person(username="fran")
    _fail_up_to_the_limit(client, "fran")
    assert _sign_in(client, "fran", GOOD).status_code == 429
    # The clock moves on: the last attempt is now older than the cool-off.
    passed = settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - passed)

    response = _sign_in(client, "fran", GOOD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert _signed_in(client)


def test_a_lockout_holds_only_for_that_username_and_address(client, make_person):
    make_person(username="fran")
    make_person(username="sam")
    _fail_up_to_the_limit(client, "fran")

    assert _sign_in(client, "sam", GOOD).status_code == 302, "another username from the same address"
    client.logout()
    assert _sign_in(client, "fran", GOOD, address="10.0.0.99").status_code == 302, "the same username elsewhere"


def test_a_good_sign_in_before_the_limit_forgets_the_failures(client, make_person):
    make_person(username="fran")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "fran", "wrong")
    assert _sign_in(client, "fran", GOOD).status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "fran", "wrong").status_code == 200

    assert _sign_in(client, "fran", GOOD).status_code == 302


def test_api_tokens_keep_working_for_a_locked_out_person(client, make_person):
    person = make_person(Role.ADMIN, username="fran")
    _, key = api_token_create(user=person, name="CRM sync")
    _fail_up_to_the_limit(client, "fran", address="127.0.0.1")
    api = APIClient(REMOTE_ADDR="127.0.0.1")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = api.get("/api/customers/")

    assert response.status_code == 200


@pytest.mark.parametrize("signed_in_by", ["force_login", "login"])
def test_the_test_clients_ways_of_signing_in_still_work(client, make_person, signed_in_by):
    person = make_person(username="fran")
    if signed_in_by == "force_login":
        client.force_login(person)
    else:
        from django.http import HttpRequest

        # axes needs the request that authenticate() would get from the sign-in page.
        assert client.login(request=HttpRequest(), username="fran", password=GOOD)

    assert client.get(reverse("home")).status_code == 200
