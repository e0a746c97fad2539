"""The webhook pages: admins set the URL, switch it, rotate the secret, send a test, read the log, retry."""

import pytest
from django.urls import reverse

from teams.models import Role
from webhooks import signing
from webhooks.models import WEBHOOK_TEST, Delivery, DeliveryStatus, Webhook
from webhooks.services import delivering, dispatch
from webhooks.tests.factories import published_rubric, qualify, webhook_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client_as):
    return client_as(Role.ADMIN)


def _detail(rubric_id):
    return reverse("webhooks:detail", kwargs={"rubric_id": rubric_id})


def test_it_lists_every_rubric_with_its_webhook(admin):
    with_hook, without = published_rubric(), published_rubric()
    webhook_for(with_hook, "https://crm.example.com/hooks/icp")

    response = admin.get(reverse("webhooks:list"))

    assert response.status_code == 200
    assert _detail(with_hook.rubric_id) in response.text
    assert _detail(without.rubric_id) in response.text
    assert "https://crm.example.com/hooks/icp" in response.text


def test_the_rubric_page_links_to_its_webhook(admin):
    version = published_rubric()

    response = admin.get(reverse("rubrics:rubric_detail", kwargs={"rubric_id": version.rubric_id}))

    assert _detail(version.rubric_id) in response.text


def test_it_offers_to_set_up_a_webhook_where_there_is_none(admin):
    version = published_rubric()

    response = admin.get(_detail(version.rubric_id))

    assert response.status_code == 200
    assert "Set up a webhook" in response.text
    assert reverse("webhooks:save", kwargs={"rubric_id": version.rubric_id}) in response.text


def test_it_sets_up_a_webhook_and_shows_its_secret(admin):
    version = published_rubric()

    response = admin.post(
        reverse("webhooks:save", kwargs={"rubric_id": version.rubric_id}),
        {"url": " https://crm.example.com/hooks/icp ", "is_active": "on"},
        follow=True,
    )

    webhook = Webhook.objects.get()
    assert (webhook.rubric_id, webhook.url, webhook.is_active) == (
        version.rubric_id,
        "https://crm.example.com/hooks/icp",
        True,
    )
    assert webhook.created_by == admin.person
    assert response.redirect_chain[-1][0] == _detail(version.rubric_id)
    assert webhook.secret in response.text
    assert response["Cache-Control"] == "no-store"


def test_it_switches_a_webhook_off_and_changes_its_url(admin):
    version = published_rubric()
    webhook = webhook_for(version, "https://crm.example.com/old")
    secret = webhook.secret

    admin.post(
        reverse("webhooks:save", kwargs={"rubric_id": version.rubric_id}), {"url": "https://crm.example.com/new"}
    )

    webhook.refresh_from_db()
    assert (webhook.url, webhook.is_active, webhook.secret) == ("https://crm.example.com/new", False, secret)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "This field is required."),
        ("crm.example.com/hooks", "Enter a full web address starting with https://."),
        ("ftp://crm.example.com/hooks", "Enter a full web address starting with https://."),
        ("https://", "Enter a full web address starting with https://."),
        ("http://[::1/hooks", "https://"),
        ("http://crm.example.com/hooks", "Use an https:// address"),
        ("https://user:pass@crm.example.com/hooks", "Leave the user name and password out"),
        ("https://crm.example.com/" + "x" * 500, "at most 500 characters"),
    ],
)
def test_it_refuses_a_bad_url_with_400_and_says_why(admin, settings, url, message):
    settings.WEBHOOK_ALLOW_HTTP = False
    version = published_rubric()

    response = admin.post(reverse("webhooks:save", kwargs={"rubric_id": version.rubric_id}), {"url": url})

    assert response.status_code == 400
    assert message in response.text
    assert not Webhook.objects.exists()


def test_it_allows_plain_http_when_the_setting_does(admin, settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    version = published_rubric()

    admin.post(reverse("webhooks:save", kwargs={"rubric_id": version.rubric_id}), {"url": "http://127.0.0.1:9/hooks"})

    assert Webhook.objects.get().url == "http://127.0.0.1:9/hooks"


def test_it_rotates_the_secret(admin):
    version = published_rubric()
    webhook = webhook_for(version, "https://crm.example.com/hooks")
    old = webhook.secret

    response = admin.post(reverse("webhooks:rotate_secret", kwargs={"rubric_id": version.rubric_id}), follow=True)

    webhook.refresh_from_db()
    assert webhook.secret != old
    assert webhook.previous_secret == old
    assert webhook.secret in response.text
    assert "The previous secret still signs too" in response.text


# Committed for real, as in production: the test event is sent once the view's transaction commits.
@pytest.mark.django_db(transaction=True)
def test_it_sends_a_signed_test_event_at_once_and_says_how_it_went(admin, receiver):
    version = published_rubric()
    webhook = webhook_for(version, receiver.url, is_active=False)

    response = admin.post(reverse("webhooks:send_test", kwargs={"rubric_id": version.rubric_id}), follow=True)

    (request,) = receiver.requests
    assert request.headers["X-ICP-Event"] == WEBHOOK_TEST
    assert signing.verify(header=request.headers["X-ICP-Signature"], body=request.body, secret=webhook.secret)
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED
    assert "The test event was delivered (HTTP 200)." in response.text


@pytest.mark.django_db(transaction=True)
def test_a_failed_test_event_is_reported_and_not_retried(admin, receiver):
    receiver.answers = [500]
    version = published_rubric()
    webhook_for(version, receiver.url)

    response = admin.post(reverse("webhooks:send_test", kwargs={"rubric_id": version.rubric_id}), follow=True)

    assert "The test event failed: HTTP 500" in response.text
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


def test_the_log_shows_deliveries_newest_first_with_their_answers(admin, receiver):
    receiver.answers = [500]
    version = published_rubric()
    webhook_for(version, receiver.url)
    qualify(version, 1)
    dispatch.webhooks_dispatch()
    delivering.deliveries_send_due(budget_seconds=30)
    delivery = Delivery.objects.get()

    page = admin.get(_detail(version.rubric_id))
    detail = admin.get(reverse("webhooks:delivery", kwargs={"delivery_id": delivery.pk}))

    assert "HTTP 500" in page.text
    assert reverse("webhooks:delivery", kwargs={"delivery_id": delivery.pk}) in page.text
    assert detail.status_code == 200
    assert str(delivery.event_id) in detail.text
    assert "try later" not in detail.text, "the receiver's answer is its own: only its status is kept"
    assert str(delivery.payload["leads"][0]["customer_id"]) in detail.text


def test_the_log_is_paged(admin, settings):
    settings.WEBHOOK_BATCH_SIZE = 1
    version = published_rubric()
    webhook_for(version, "https://crm.example.com/hooks")
    qualify(version, 30)
    dispatch.webhooks_dispatch()

    first = admin.get(_detail(version.rubric_id))
    second = admin.get(_detail(version.rubric_id), {"page": "2"})
    nonsense = admin.get(_detail(version.rubric_id), {"page": "many"})

    assert "Page 1 of 2" in first.text
    assert "Page 2 of 2" in second.text
    assert nonsense.status_code == 200


def test_it_retries_a_failed_delivery(admin, receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.answers = [500]
    version = published_rubric()
    webhook_for(version, receiver.url)
    qualify(version, 1)
    dispatch.webhooks_dispatch()
    delivering.deliveries_send_due(budget_seconds=30)
    delivery = Delivery.objects.get(status=DeliveryStatus.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("webhooks:retry", kwargs={"delivery_id": delivery.pk}))

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [r.answered for r in receiver.requests] == [500, 200]


def test_it_refuses_to_retry_a_delivered_delivery_with_409(admin, receiver, django_capture_on_commit_callbacks):
    version = published_rubric()
    webhook_for(version, receiver.url)
    qualify(version, 1)
    dispatch.webhooks_dispatch()
    delivering.deliveries_send_due(budget_seconds=30)
    delivery = Delivery.objects.get(status=DeliveryStatus.DELIVERED)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("webhooks:retry", kwargs={"delivery_id": delivery.pk}))

    assert response.status_code == 409
    assert "This delivery is delivered: only a failed one can be retried." in response.text
    assert len(receiver.requests) == 1


def test_it_refuses_to_retry_while_the_webhook_is_off(admin):
    version = published_rubric()
    webhook = webhook_for(version, "https://crm.example.com/hooks", is_active=False)
    delivery = Delivery.objects.create(webhook=webhook, payload={"leads": []}, status=DeliveryStatus.FAILED)

    response = admin.post(reverse("webhooks:retry", kwargs={"delivery_id": delivery.pk}))

    assert response.status_code == 409
    assert "The webhook is off: switch it on first, then retry." in response.text
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_it_answers_404_for_a_rubric_or_delivery_that_does_not_exist(admin):
    assert admin.get(_detail(999_999)).status_code == 404
    assert admin.post(reverse("webhooks:rotate_secret", kwargs={"rubric_id": 999_999})).status_code == 404
    assert admin.post(reverse("webhooks:retry", kwargs={"delivery_id": 999_999})).status_code == 404


MUTATIONS = ["webhooks:save", "webhooks:rotate_secret", "webhooks:send_test", "webhooks:retry"]


def _mutation_url(name, version):
    webhook = Webhook.objects.get(rubric_id=version.rubric_id)
    if name == "webhooks:retry":
        delivery = Delivery.objects.create(webhook=webhook, payload={}, status=DeliveryStatus.FAILED)
        return reverse(name, kwargs={"delivery_id": delivery.pk})
    return reverse(name, kwargs={"rubric_id": version.rubric_id})


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MEMBER, Role.SALES_REP])
@pytest.mark.parametrize("name", MUTATIONS)
def test_it_refuses_every_change_to_anyone_but_an_admin_with_403(client_as, receiver, role, name):
    version = published_rubric()
    webhook = webhook_for(version, receiver.url)
    secret = webhook.secret
    client = client_as(role)

    response = client.post(_mutation_url(name, version), {"url": "https://evil.example.com/", "is_active": "on"})

    assert response.status_code == 403
    webhook.refresh_from_db()
    assert (webhook.url, webhook.secret) == (receiver.url, secret)
    assert receiver.requests == []
    assert not Delivery.objects.exclude(status=DeliveryStatus.FAILED).exists()


@pytest.mark.parametrize("name", MUTATIONS)
def test_a_change_is_post_only(admin, name):
    version = published_rubric()
    webhook_for(version, "https://crm.example.com/hooks")

    response = admin.get(_mutation_url(name, version))

    assert response.status_code == 405
