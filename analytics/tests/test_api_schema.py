"""The analytics API's answers for a real rubric are as its OpenAPI schema says (schemathesis checks them)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from teams.models import Role
from teams.services import api_token_create

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/analytics/segments/", {}),
        ("/api/analytics/accuracy/", {}),
        ("/api/analytics/traits/", {"best": "won"}),
        ("/api/analytics/traits/", {"best": "exemplars"}),
    ],
)
def test_it_answers_as_documented(icp, make_person, connection_kept_open, path, query):
    _, key = api_token_create(user=make_person(Role.MEMBER), name="schema")
    case = schema[path]["GET"].Case(query={"rubric": icp.rubric.pk, **query})

    response = case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/api/analytics/segments/", "/api/analytics/accuracy/", "/api/analytics/traits/"])
def test_it_answers_as_documented_for_an_icp_nobody_is_scored_by_yet(make_person, connection_kept_open, path):
    from profiles.models import Profile
    from rubrics.models import Rubric

    from .factories import _version

    rubric = Rubric.objects.create(profile=Profile.objects.create(name="New"), name="Fit")
    _version(rubric, 1, "published", 0, [], [("industry", "in", ["Software"], 1)])
    _, key = api_token_create(user=make_person(Role.ADMIN), name="schema")
    case = schema[path]["GET"].Case(query={"rubric": rubric.pk})

    response = case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)

    assert response.status_code == 200
