"""The lookalikes tests' shared pieces: a base built once per module, and this process's matrix forgotten
around every test (a test's vectors are rolled back with it, and their revisions given again)."""

from collections.abc import Callable, Iterator

import pytest
from django.db import connection

from customers.models import Customer
from lookalikes.matrix import matrix_forget
from lookalikes.models import AccountVector, SimilarityModel, VectorClock


@pytest.fixture(autouse=True)
def _matrix_forgotten():
    matrix_forget()
    yield
    matrix_forget()


def module_base(django_db_blocker, build: Callable) -> Iterator:
    """For a module-scoped fixture: what ``build`` makes, committed, for the module's tests to share (each of
    them still runs in a transaction rolled back after it); then every customer, similarity model and revision
    deleted (``build`` makes nothing else that stays)."""
    with django_db_blocker.unblock():
        built = build()
    try:
        yield built
    finally:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            # In SQL: the ORM's delete gathers each customer's related rows first (5 s for the planted base).
            for model in (AccountVector, SimilarityModel, VectorClock, Customer):
                cursor.execute(f"DELETE FROM {model._meta.db_table}")
