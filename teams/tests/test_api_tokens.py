import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from teams.models import ApiToken, Role
from teams.services import api_token_create, api_token_revoke

API_URL = "/api/customers/"


def _api(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_it_stores_only_the_hash_of_a_new_key(make_person):
    token, key = api_token_create(user=make_person(), name="  HubSpot sync  ")

    token.refresh_from_db()
    assert token.name == "HubSpot sync"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix)
    assert len(key) > 40
    stored = [str(value) for value in ApiToken.objects.values_list(flat=False).get()]
    assert not any(key in value for value in stored)


def test_it_authenticates_with_a_valid_token_and_records_its_use(make_person):
    token, key = api_token_create(user=make_person(Role.MEMBER), name="sync")

    response = _api(key).get(API_URL)

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token icp_not-a-real-key", "Invalid token."),
        ("Token", "No credentials provided."),
        ("Token two parts", "should not contain spaces"),
    ],
)
def test_it_refuses_a_wrong_or_malformed_token_with_401(make_person, header, message):
    api_token_create(user=make_person(Role.ADMIN), name="sync")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(API_URL)

    assert response.status_code == 401
    assert message in response.json()["detail"]


def test_it_refuses_a_revoked_token_with_401(make_person):
    person = make_person(Role.ADMIN)
    token, key = api_token_create(user=person, name="sync")
    api_token_revoke(token=token, user=person)

    response = _api(key).get(API_URL)

    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_it_refuses_the_token_of_a_deactivated_person_with_401(make_person):
    person = make_person(Role.ADMIN)
    _, key = api_token_create(user=person, name="sync")
    person.is_active = False
    person.save()

    response = _api(key).get(API_URL)

    assert response.status_code == 401
    assert "deactivated" in response.json()["detail"]


def test_it_asks_anonymous_clients_for_a_token_with_401(db):
    response = APIClient().get(API_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_second_revoke_keeps_the_first_date(make_person):
    person = make_person()
    token, _ = api_token_create(user=person, name="sync")
    first = api_token_revoke(token=token, user=person).revoked_at

    again = api_token_revoke(token=token, user=person)

    assert again.revoked_at == first


def test_it_lets_nobody_revoke_someone_elses_token(make_person):
    token, _ = api_token_create(user=make_person(), name="sync")

    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, user=make_person())

    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_lists_only_my_own_tokens(client_as, make_person):
    client = client_as(Role.SALES_REP)
    api_token_create(user=client.person, name="mine")
    api_token_create(user=make_person(), name="theirs")

    response = client.get(reverse("teams:api_tokens"))

    assert response.status_code == 200
    assert [token.name for token in response.context["tokens"]] == ["mine"]
    assert "theirs" not in response.content.decode()


def test_it_creates_a_token_and_shows_its_key_once(client_as):
    client = client_as(Role.MEMBER)

    response = client.post(reverse("teams:api_token_create"), {"name": "CRM sync"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = response.context["new_key"]
    token = ApiToken.objects.get(user=client.person)
    assert token.key_hash == ApiToken.hash_key(key)
    assert key in response.content.decode()
    assert key not in client.get(reverse("teams:api_tokens")).content.decode()


def test_it_refuses_a_token_without_a_name(client_as):
    client = client_as(Role.MEMBER)

    response = client.post(reverse("teams:api_token_create"), {"name": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_it_revokes_my_token_by_post(client_as):
    client = client_as(Role.FACILITATOR)
    token, key = api_token_create(user=client.person, name="sync")

    response = client.post(reverse("teams:api_token_revoke", args=[token.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("teams:api_tokens")
    assert "is revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _api(key).get(API_URL).status_code == 401


def test_it_revokes_only_by_post(client_as):
    client = client_as(Role.ADMIN)
    token, _ = api_token_create(user=client.person, name="sync")

    response = client.get(reverse("teams:api_token_revoke", args=[token.pk]))

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_leaves_someone_elses_token_alone(client_as, make_person):
    client = client_as(Role.ADMIN)
    token, _ = api_token_create(user=make_person(), name="theirs")

    response = client.post(reverse("teams:api_token_revoke", args=[token.pk]), follow=True)

    assert "No token of yours" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_account_menu_links_to_the_tokens_page(client_as):
    response = client_as(Role.MEMBER).get(reverse("home"))

    assert reverse("teams:api_tokens") in response.content.decode()


def _api_endpoints(patterns=None, namespace=""):
    """(url name, url, method) for every method of every API view the project routes: a new endpoint is in."""
    from django.urls import URLResolver, get_resolver
    from rest_framework.views import APIView

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _api_endpoints(pattern.url_patterns, inner)
            continue
        view = getattr(pattern.callback, "cls", None)
        if not (view and issubclass(view, APIView)):
            continue
        name = f"{namespace}{pattern.name}"
        url = reverse(name, kwargs=dict.fromkeys(pattern.pattern.regex.groupindex, "1"))
        actions = getattr(pattern.callback, "actions", None)
        methods = actions or [method for method in view.http_method_names if hasattr(view, method)]
        for method in sorted(set(methods) - {"options", "head"}):
            yield pytest.param(url, method, id=f"{name}-{method}")


@pytest.mark.parametrize(("url", "method"), list(_api_endpoints()))
def test_a_revoked_token_gets_401_on_every_api_endpoint(make_person, url, method):
    person = make_person(Role.ADMIN)
    token, key = api_token_create(user=person, name="sync")
    api_token_revoke(token=token, user=person)

    response = getattr(_api(key), method)(url, {}, format="json")

    assert response.status_code == 401
    if response["Content-Type"] == "application/json":  # the schema and the docs page answer in their own format
        assert "revoked" in response.json()["detail"]


def test_the_endpoint_walk_finds_the_api():
    urls = {param.values[0] for param in _api_endpoints()}

    assert {API_URL, "/api/leads/", "/api/customers/1/"} <= urls
