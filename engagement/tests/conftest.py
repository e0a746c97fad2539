import pytest

from engagement.services import event_types_default_ensure


@pytest.fixture(autouse=True)
def _default_event_types(db):
    """The migration's event types, again: a transactional test run before (a worker's) flushes every table."""
    event_types_default_ensure()
