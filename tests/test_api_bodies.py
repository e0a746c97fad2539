"""Every API operation that takes a body, read from the OpenAPI schema (so a new one is covered as it is added),
answers JSON nested 1,000 deep with a 400 that says why, and changes nothing."""

import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from rubrics.models import Criterion, RubricVersion
from rubrics.tests.factories import rubric_with_draft
from teams.models import Role
from teams.services import api_token_create

pytestmark = pytest.mark.django_db

DEEP = "[" * 1_000 + "]" * 1_000


def _operations_with_a_body() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    )


def test_the_schema_lists_the_operations_that_take_a_body():
    assert ("POST", "/api/customers/bulk/") in _operations_with_a_body()
    assert ("PUT", "/api/rubrics/{rubric_id}/draft/") in _operations_with_a_body()


def test_json_nested_too_deeply_is_a_400_on_every_operation_that_takes_a_body(make_person):
    admin = make_person(Role.ADMIN)
    _, key = api_token_create(user=admin, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    customer = CustomerFactory(external_id="CRM-1", name="Acme")
    draft = rubric_with_draft()
    ids = {"external_id": customer.external_id, "rubric_id": draft.rubric_id}
    before = (Customer.objects.count(), Criterion.objects.count(), RubricVersion.objects.count(), draft.revision)

    operations = _operations_with_a_body()
    for method, path in operations:
        url = path.format(**ids)
        response = client.generic(method, url, DEEP, content_type="application/json")

        assert response.status_code == 400, f"{method} {url}: {response.status_code}"
        assert "nested too deeply" in json.dumps(response.json()), f"{method} {url}"
    draft.refresh_from_db()
    customer.refresh_from_db()
    assert (
        Customer.objects.count(),
        Criterion.objects.count(),
        RubricVersion.objects.count(),
        draft.revision,
    ) == before
    assert customer.name == "Acme"
    assert len(operations) >= 5
