"""API clients for the customer API tests: signed in by token, as a person of a role."""

import pytest
from rest_framework.test import APIClient

from teams.services import api_token_create


@pytest.fixture
def api_as(make_person):
    """An API client sending ``Authorization: Token <key>`` of a new person with the given role."""

    def make(role, **fields):
        person = make_person(role, **fields)
        _, key = api_token_create(user=person, name="tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        client.person = person
        return client

    return make
