"""Schemathesis against the API's own OpenAPI schema: no server errors, and every response as documented."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from customers.tests.factories import CustomerFactory
from teams.models import Role
from teams.services import api_token_create

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(params=[Role.ADMIN, Role.SALES_REP])
def api_key(request, make_person, connection_kept_open):
    """The token of an admin (who may write) or of a sales rep (who may only read: writes answer 403)."""
    riley = make_person(Role.SALES_REP, username="riley")
    CustomerFactory(external_id="CRM-1", owner=riley)
    person = riley if request.param == Role.SALES_REP else make_person(Role.ADMIN)
    _, key = api_token_create(user=person, name="schemathesis")
    return key


# Generating the schema touches no database, so it can be loaded when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_it_answers_every_operation_as_its_schema_says(case, api_key):
    case.call_and_validate(headers={"Authorization": f"Token {api_key}"}, checks=CHECKS)
