"""Settings of PostgreSQL's planner for a few statements, where its defaults or its estimates lead it wrong.

Each helper opens a transaction (a savepoint inside one) and sets what it names for it alone (``set_config(...,
true)`` lasts to the transaction's end). On SQLite they open the transaction and set nothing.
"""

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction


@contextlib.contextmanager
def _planned_with(settings: dict[str, str], *, savepoint: bool = True) -> Iterator[None]:
    with transaction.atomic(savepoint=savepoint):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                calls = ", ".join("set_config(%s, %s, true)" for _ in settings)
                cursor.execute(f"SELECT {calls}", [part for item in settings.items() for part in item])
        yield


def short_query_planning() -> contextlib.AbstractContextManager[None]:
    """For a page's few short queries: no JIT (compiling costs more than the query) and no parallel workers
    (under concurrency they keep scanning past a LIMIT)."""
    return _planned_with({"jit": "off", "max_parallel_workers_per_gather": "0"})


def wide_expression_planning() -> contextlib.AbstractContextManager[None]:
    """For a statement computing wide expressions (a rubric's CASE over every customer): no JIT, whose compiling
    costs more than running them (the scores' statements ran about 2.5 times slower with it)."""
    return _planned_with({"jit": "off"})


def wide_aggregate_planning() -> contextlib.AbstractContextManager[None]:
    """For one aggregate pass over the base into groups the planner cannot foresee are few (a few dozen or a few
    hundred): no JIT, hash the rows rather than sort them all, and let the parallel workers send their rows."""
    return _planned_with({"jit": "off", "enable_sort": "off", "parallel_tuple_cost": "0"})


@contextlib.contextmanager
def planner_method_off(method: str) -> Iterator[None]:
    """For the statements inside only: the planner without one of its methods (``enable_<method>`` off, as
    ``seqscan`` or ``mergejoin``), where its estimates lead it to the wrong one. Set back on after, as the
    surrounding transaction goes on."""
    setting = f"enable_{method}"
    with _planned_with({setting: "off"}, savepoint=False):
        yield
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [setting])
