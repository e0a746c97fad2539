"""Every URL of the product, and who may use it.

A view added without a line in ACCESS fails ``test_it_knows_every_url``; a line
whose view lets the wrong role in fails the role tests below.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from teams.models import Role

ALL = tuple(Role.values)
ADMIN = (Role.ADMIN,)

# url name: (roles allowed, methods to try, url kwargs)
ACCESS = {
    "home": (ALL, ("GET",), {}),
    "teams:people": (ADMIN, ("GET",), {}),
    "teams:person_new": (ADMIN, ("GET", "POST"), {}),
    "teams:person_edit": (ADMIN, ("GET", "POST"), {"person_id": 0}),
}

# Open to anyone on purpose: monitoring, and signing in and out.
PUBLIC = {"healthz", "login", "logout", "password_reset", "password_reset_done", "password_reset_confirm"}
PUBLIC |= {"password_reset_complete"}
# Any signed-in person, whatever the role (Django's own views, behind login_required).
SIGNED_IN = {"password_change", "password_change_done"}


def _named_routes(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django admin: staff only, checked by Django itself
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_routes(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_it_knows_every_url():
    routes = set(_named_routes(get_resolver().url_patterns))

    unknown = routes - set(ACCESS) - PUBLIC - SIGNED_IN

    assert not unknown, f"add these URLs to ACCESS with the roles that may use them: {sorted(unknown)}"


def _cases(allowed: bool):
    for name, (roles, methods, kwargs) in ACCESS.items():
        for role in Role.values:
            if (role in roles) is allowed:
                for method in methods:
                    yield pytest.param(name, role, method, kwargs, id=f"{name}-{role}-{method}")


def _url(name, kwargs, person):
    kwargs = {key: (person.pk if value == 0 else value) for key, value in kwargs.items()}
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize(("name", "role", "method", "kwargs"), list(_cases(allowed=False)))
def test_it_refuses_the_wrong_role_with_403(client_as, name, role, method, kwargs):
    client = client_as(role)

    response = getattr(client, method.lower())(_url(name, kwargs, client.person), {})

    assert response.status_code == 403


@pytest.mark.parametrize(("name", "role", "method", "kwargs"), list(_cases(allowed=True)))
def test_it_lets_the_right_role_in(client_as, name, role, method, kwargs):
    client = client_as(role)

    response = getattr(client, method.lower())(_url(name, kwargs, client.person), {})

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert not response.url.startswith(reverse("login"))


ANONYMOUS_CASES = [
    pytest.param(name, method, kwargs, id=f"{name}-{method}")
    for name, (_, methods, kwargs) in ACCESS.items()
    for method in methods
]


@pytest.mark.parametrize(("name", "method", "kwargs"), ANONYMOUS_CASES)
def test_it_sends_anonymous_visitors_to_login(client, make_person, name, method, kwargs):
    response = getattr(client, method.lower())(_url(name, kwargs, make_person()), {})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SIGNED_IN))
def test_it_sends_anonymous_visitors_to_login_for_account_pages(client, name):
    response = client.get(reverse(name))

    assert response.url.startswith(reverse("login"))
