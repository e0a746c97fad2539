import pytest

from webhooks.tests.receiver import Receiver


@pytest.fixture
def receiver():
    """A local HTTP server recording what it is sent."""
    with Receiver() as server:
        yield server


@pytest.fixture(autouse=True)
def _the_test_crm_is_on_this_machine(settings):
    """The receiver listens on 127.0.0.1, a private address: these tests allow it, as an on-premises CRM would.
    The tests of the address check (test_addresses.py) turn it off again."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
