"""The schema stays ready to be distributed by customer (README, "Beyond one machine"): every table that refers
to a customer can find its rows by that customer through an index that starts with the customer's column, so
on a database sharded by customer id each such lookup stays on one shard and reads an index there."""

import pytest
from django.apps import apps
from django.db import connection

from customers.models import Customer

pytestmark = pytest.mark.django_db


def _customer_columns():
    """(table, column) of every column that refers to a customer, in every installed app."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Customer:
                found.append((model._meta.db_table, field.column))
    return found


def _led_by(table: str, column: str) -> list[str]:
    """The indexes and unique constraints of ``table`` whose first column is ``column``."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, constraint in constraints.items()
        if (constraint["index"] or constraint["unique"]) and constraint["columns"][:1] == [column]
    ]


def test_the_tables_that_grow_with_the_customers_are_found_by_customer():
    columns = _customer_columns()
    # The tables that grow with the base are among them (a table renamed away would hide here).
    tables = {table for table, _ in columns}
    assert {"rubrics_score", "rubrics_qualificationchange", "engagement_event", "engagement_dailycount"} <= tables

    unindexed = [(table, column) for table, column in columns if not _led_by(table, column)]

    assert unindexed == [], f"no index starts with the customer column: {unindexed}"
