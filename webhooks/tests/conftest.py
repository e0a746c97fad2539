import pytest

from webhooks.tests.receiver import Receiver


@pytest.fixture
def receiver():
    """A local HTTP server recording what it is sent."""
    with Receiver() as server:
        yield server
