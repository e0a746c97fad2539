"""Webhooks go only to public addresses: refused on save and at send, after resolving the name, and the post
goes to the address that was checked (so a name that changes its answer cannot redirect it)."""

import ipaddress
import socket

import pytest
from django.urls import reverse

from teams.models import Role
from webhooks import sending
from webhooks.addresses import AddressRefused, NameUnresolved, address_kind, public_address
from webhooks.models import Delivery, DeliveryStatus, Webhook
from webhooks.services import delivering, dispatch
from webhooks.tests.factories import published_rubric, qualify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_addresses_refused(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False  # the default, which the webhooks tests' conftest lifts
    settings.WEBHOOK_ALLOW_HTTP = True


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "reserved"),
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
    ],
)
def test_it_names_what_is_not_a_public_address(address, kind):
    found = address_kind(ipaddress.ip_address(address))

    assert found is None if kind is None else kind in found


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/hooks", "127.0.0.1 is a loopback address"),
        ("http://[::1]/hooks", "::1 is a loopback address"),
        ("http://localhost:8000/hooks", "localhost resolves to 127.0.0.1, a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://10.0.0.1/hooks", "10.0.0.1 is a private network address"),
        ("https://127.0.0.1:5432/", "127.0.0.1 is a loopback address"),
    ],
)
def test_saving_a_webhook_to_a_non_public_address_is_refused_with_400(client_as, url, message):
    version = published_rubric()
    admin = client_as(Role.ADMIN)

    response = admin.post(reverse("webhooks:save", kwargs={"rubric_id": version.rubric_id}), {"url": url})

    assert response.status_code == 400
    assert message in response.text
    assert "WEBHOOK_ALLOW_PRIVATE_ADDRESSES" in response.text
    assert not Webhook.objects.exists()


def test_the_setting_lets_an_on_premises_crm_on_the_private_network(client_as, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    version = published_rubric()

    client_as(Role.ADMIN).post(
        reverse("webhooks:save", kwargs={"rubric_id": version.rubric_id}), {"url": "http://10.0.0.1/hooks"}
    )

    assert Webhook.objects.get().url == "http://10.0.0.1/hooks"


def test_a_webhook_that_became_private_is_not_sent_and_the_log_says_why(receiver, settings):
    """Saved while the setting allowed it (or before this check existed); the send checks again."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    version = published_rubric()
    Webhook.objects.create(rubric=version.rubric, url=receiver.url, secret="whsec_test", is_active=True)
    qualify(version, 1)
    dispatch.webhooks_dispatch()
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    delivering.deliveries_send_due(budget_seconds=30)

    assert receiver.requests == []
    delivery = Delivery.objects.get()
    (attempt,) = delivery.attempts_made.all()
    assert attempt.status_code is None
    assert attempt.error.startswith("Not sent: 127.0.0.1 is a loopback address")
    assert delivery.status == DeliveryStatus.PENDING  # tried again later: an admin may change the setting


def _resolver(monkeypatch, answers: list[list[str]]):
    """The system resolver, answering each call with the next list of addresses (the last one repeats)."""
    calls = []

    def getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        try:
            addresses = [str(ipaddress.ip_address(host))]  # an address resolves to itself
        except ValueError:
            named = [call for call in calls if call == host]
            addresses = answers[min(len(named), len(answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


def test_a_name_with_any_private_address_is_refused(monkeypatch):
    _resolver(monkeypatch, [["93.184.215.14", "10.1.2.3"]])

    with pytest.raises(AddressRefused, match="crm.example.org resolves to 10.1.2.3, a private network address"):
        public_address("crm.example.org", 443, allow_private=False)


def test_a_name_that_does_not_resolve_is_refused_at_send_and_let_through_on_save(client_as):
    with pytest.raises(NameUnresolved):
        public_address("crm.invalid", 443, allow_private=False)
    version = published_rubric()

    client_as(Role.ADMIN).post(
        reverse("webhooks:save", kwargs={"rubric_id": version.rubric_id}), {"url": "https://crm.invalid/hooks"}
    )

    assert Webhook.objects.get().url == "https://crm.invalid/hooks"
    answer = sending.post(url="https://crm.invalid/hooks", body=b"{}", headers={}, timeout=2)
    assert (answer.status_code, answer.error) == (
        None,
        "Not sent: The name crm.invalid could not be resolved (gaierror).",
    )


def test_the_post_goes_to_the_address_checked_not_to_a_second_answer(receiver, monkeypatch):
    """DNS rebinding: the name answers an allowed address to the check, then another one. The post is made to
    the checked address, once, with the name in its Host header."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    calls = _resolver(monkeypatch, [["127.0.0.1"], ["192.0.2.1"]])  # the second: TEST-NET, nobody answers

    answer = sending.post(
        url=f"http://crm.rebind.test:{port}/hooks/icp", body=b"{}", headers={}, timeout=2, allow_private=True
    )

    assert calls[0] == "crm.rebind.test"
    assert set(calls[1:]) <= {"127.0.0.1"}, "the name is resolved once; the socket opens the checked address"
    assert answer.ok
    (request,) = receiver.requests
    assert request.headers["Host"] == f"crm.rebind.test:{port}"
