import pytest

from .factories import planted_icp


@pytest.fixture
def icp(db):
    """The planted base (3,000 customers), scored by the published v2; v1 retired."""
    return planted_icp()


@pytest.fixture
def api_as(make_person):
    """An API client sending ``Authorization: Token <key>`` of a new person with the given role."""
    from rest_framework.test import APIClient

    from teams.services import api_token_create

    def make(role):
        _, key = api_token_create(user=make_person(role), name="tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make
