"""Sending to a real local HTTP server: signed, retried after a failure, never twice after a success."""

import datetime
import json
import socket

import pytest
from django.utils import timezone

from webhooks import signing, tasks
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus
from webhooks.services import delivering, dispatch
from webhooks.services.webhooks import DeliveryNotRetryable, delivery_retry, webhook_secret_rotate
from webhooks.tests.factories import published_rubric, qualify, webhook_for

pytestmark = pytest.mark.django_db


def _one_delivery(receiver, leads: int = 2):
    version = published_rubric()
    webhook = webhook_for(version, receiver.url)
    customers = qualify(version, leads)
    dispatch.webhooks_dispatch()
    return webhook, Delivery.objects.get(), customers


def _make_due(delivery) -> None:
    """Move the clock past the back-off, as far as this delivery can tell."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


def test_it_delivers_a_qualification_signed_with_the_webhook_s_secret(receiver):
    webhook, delivery, customers = _one_delivery(receiver)

    delivered = delivering.deliveries_send_due(budget_seconds=30)

    assert delivered == 1
    (request,) = receiver.requests
    assert request.path == "/hooks/icp"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-ICP-Event"] == "lead.qualified"
    assert request.headers["X-ICP-Delivery"] == str(delivery.event_id)
    assert signing.verify(header=request.headers["X-ICP-Signature"], body=request.body, secret=webhook.secret)
    assert not signing.verify(header=request.headers["X-ICP-Signature"], body=request.body, secret="whsec_guess")
    assert json.loads(request.body) == delivery.payload
    assert [lead["customer_id"] for lead in json.loads(request.body)["leads"]] == [c.pk for c in customers]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert delivery.delivered_at is not None
    (attempt,) = delivery.attempts_made.all()
    assert (attempt.status_code, attempt.succeeded, attempt.error) == (200, True, "")


def test_it_retries_a_failed_delivery_after_the_back_off(receiver, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    receiver.answers = [500]
    _, delivery, _ = _one_delivery(receiver)

    before = timezone.now()
    assert delivering.deliveries_send_due(budget_seconds=30) == 0
    after = timezone.now()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
    assert "500" in delivery.last_error
    assert before + datetime.timedelta(seconds=30) <= delivery.next_attempt_at <= after + datetime.timedelta(seconds=30)
    assert delivering.deliveries_send_due(budget_seconds=30) == 0, "not due yet: nothing is sent"
    assert len(receiver.requests) == 1

    _make_due(delivery)
    assert delivering.deliveries_send_due(budget_seconds=30) == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 2, 200)
    assert [a.status_code for a in delivery.attempts_made.order_by("started_at", "id")] == [500, 200]
    assert [r.answered for r in receiver.requests] == [500, 200]
    assert {r.headers["X-ICP-Delivery"] for r in receiver.requests} == {str(delivery.event_id)}
    assert [r.headers["X-ICP-Attempt"] for r in receiver.requests] == ["1", "2"]


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (7, 1920), (30, 86400)])
def test_each_retry_waits_twice_as_long_as_the_one_before_at_most_a_day(settings, attempts, seconds):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30

    assert delivering.retry_delay(attempts) == datetime.timedelta(seconds=seconds)


def test_it_never_sends_a_delivered_event_again(receiver, django_capture_on_commit_callbacks):
    _, delivery, _ = _one_delivery(receiver)
    delivering.deliveries_send_due(budget_seconds=30)

    dispatch.webhooks_dispatch()
    delivering.deliveries_send_due(budget_seconds=30)
    tasks.webhook_deliver.apply(args=[delivery.pk])
    tasks.webhook_deliver.apply(args=[delivery.pk])
    tasks.webhooks_dispatch.apply()
    _make_due(delivery)
    assert delivering.delivery_send(delivery_id=delivery.pk) is None
    with pytest.raises(DeliveryNotRetryable), django_capture_on_commit_callbacks(execute=True):
        delivery_retry(delivery=delivery)

    assert len(receiver.requests) == 1
    assert Delivery.objects.count() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)


def test_two_workers_claiming_the_same_delivery_send_it_once(receiver):
    _, delivery, _ = _one_delivery(receiver)

    first = delivering.delivery_claim(delivery_id=delivery.pk)
    second = delivering.delivery_claim(delivery_id=delivery.pk)

    assert first is not None
    assert second is None
    assert delivering.delivery_send(delivery_id=delivery.pk) is None
    assert receiver.requests == []


def test_a_delivery_whose_worker_died_goes_back_to_pending_once_its_lease_expires_and_is_sent_once(receiver):
    _, delivery, _ = _one_delivery(receiver)
    claim = delivering.delivery_claim(delivery_id=delivery.pk)  # ...and the worker is killed before it sends
    assert claim is not None

    assert delivering.deliveries_release_expired() == 0, "the lease still runs"
    assert delivering.deliveries_send_due(budget_seconds=30) == 0
    Delivery.objects.filter(pk=delivery.pk).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert delivering.deliveries_release_expired() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)

    assert delivering.deliveries_send_due(budget_seconds=30) == 1
    assert delivering.deliveries_send_due(budget_seconds=30) == 0
    assert delivering.deliveries_release_expired() == 0

    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)


def test_a_late_answer_after_the_lease_was_taken_back_does_not_overwrite_the_new_state(receiver):
    _, delivery, _ = _one_delivery(receiver)
    claim = delivering.delivery_claim(delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    delivering.deliveries_release_expired()
    delivering.deliveries_send_due(budget_seconds=30)

    from webhooks.sending import Answer

    delivering.delivery_record(claim=claim, answer=Answer(500, "late", 5), started_at=timezone.now())

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 2, "the late attempt is still logged"


def test_it_gives_up_after_the_last_attempt_and_an_admin_retry_starts_over(
    receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answers = [503, 503]
    _, delivery, _ = _one_delivery(receiver)
    delivering.deliveries_send_due(budget_seconds=30)
    _make_due(delivery)
    delivering.deliveries_send_due(budget_seconds=30)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.FAILED, 2, 503)
    _make_due(delivery)
    assert delivering.deliveries_send_due(budget_seconds=30) == 0, "a failed delivery waits for an admin"

    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(delivery=delivery)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert [r.answered for r in receiver.requests] == [503, 503, 200]
    assert delivery.attempts_made.count() == 3


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


def test_a_server_that_refuses_the_connection_is_a_failure_to_retry():
    version = published_rubric()
    webhook_for(version, _closed_port_url())
    qualify(version, 1)
    dispatch.webhooks_dispatch()

    assert delivering.deliveries_send_due(budget_seconds=30) == 0

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.PENDING, None)
    assert "refused" in delivery.last_error.lower()
    assert delivery.attempts_made.get().error == delivery.last_error


def test_a_redirect_is_not_followed_and_counts_as_a_failure(receiver):
    receiver.answers = [302]
    _, delivery, _ = _one_delivery(receiver)

    delivering.deliveries_send_due(budget_seconds=30)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.PENDING, 302)
    assert len(receiver.requests) == 1


def test_a_receiver_that_is_down_gets_one_request_per_round_not_the_backlog(receiver, settings):
    settings.WEBHOOK_BATCH_SIZE = 1
    receiver.answers = [500]
    version = published_rubric()
    webhook_for(version, receiver.url)
    qualify(version, 3)
    dispatch.webhooks_dispatch()

    delivering.deliveries_send_due(budget_seconds=30)

    assert len(receiver.requests) == 1
    assert sorted(Delivery.objects.values_list("attempts", flat=True)) == [0, 0, 1]
    assert delivering.deliveries_send_due(budget_seconds=30) == 2, "the next round sends the others"


def test_deliveries_of_a_switched_off_webhook_wait_until_it_is_on_again(receiver):
    webhook, delivery, _ = _one_delivery(receiver)
    webhook_for(published_rubric(), receiver.url)  # another rubric's webhook, to show it is per webhook
    type(webhook).objects.filter(pk=webhook.pk).update(is_active=False)

    assert delivering.deliveries_send_due(budget_seconds=30) == 0
    assert delivering.delivery_send(delivery_id=delivery.pk) is None

    type(webhook).objects.filter(pk=webhook.pk).update(is_active=True)
    assert delivering.deliveries_send_due(budget_seconds=30) == 1
    assert len(receiver.requests) == 1


def test_after_a_secret_rotation_requests_are_signed_with_both_secrets_for_a_day(receiver):
    webhook, delivery, _ = _one_delivery(receiver)
    old_secret = webhook.secret
    webhook = webhook_secret_rotate(webhook=webhook)

    delivering.deliveries_send_due(budget_seconds=30)

    (request,) = receiver.requests
    header = request.headers["X-ICP-Signature"]
    assert webhook.secret != old_secret
    assert signing.verify(header=header, body=request.body, secret=webhook.secret)
    assert signing.verify(header=header, body=request.body, secret=old_secret)
    tomorrow = timezone.now() + datetime.timedelta(hours=24, seconds=1)
    assert webhook.signing_secrets(now=tomorrow) == [webhook.secret]


def test_a_url_that_is_no_longer_allowed_is_not_called(receiver, settings):
    _, delivery, _ = _one_delivery(receiver)
    settings.WEBHOOK_ALLOW_HTTP = False

    delivering.deliveries_send_due(budget_seconds=30)

    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "https://" in delivery.last_error
