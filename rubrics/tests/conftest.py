"""Fixtures of the rubric tests: API clients signed in by token, as the customer API's tests make them."""

from customers.tests.conftest import api_as  # noqa: F401  (a fixture, found here by pytest)
