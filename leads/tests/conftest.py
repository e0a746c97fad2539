"""The disqualification reasons that a migration adds (leads/migrations/0002_default_reasons.py), back for each test.

A transactional test empties every table when it ends. In one process pytest-django runs those tests last, so the
rows a migration added are there for every other test; in pytest-xdist's processes (make test) a process may run
one and then take more tests from another, which would find no reasons.
"""

import importlib

import pytest

from tests.support import runs_transactional

REASONS = importlib.import_module("leads.migrations.0002_default_reasons").REASONS


@pytest.fixture(autouse=True)
def _default_reasons(request):
    transactional = runs_transactional(request)
    if not transactional and request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from leads.models import DisqualificationReason

    for position, (label, needs_note) in enumerate(REASONS):
        DisqualificationReason.objects.get_or_create(
            label=label, defaults={"needs_note": needs_note, "position": position}
        )
