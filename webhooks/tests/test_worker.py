"""Through the broker and a real Celery worker: a publish ends up at the receiver, once."""

import json

import pytest

from customers.tests.factories import CustomerFactory
from rubrics.services import publishing
from rubrics.tests.factories import rubric_with_draft
from tests.support import wait_for
from webhooks import signing, tasks
from webhooks.models import Delivery, DeliveryStatus
from webhooks.tests.factories import webhook_for

pytestmark = [pytest.mark.worker]


def test_a_publish_sends_the_qualified_leads_through_the_worker_once(real_worker, receiver, make_person, settings):
    settings.RESCORE_CHUNK_SIZE = settings.RESCORE_FILL_CHUNK_SIZE = 3
    software = CustomerFactory.create_batch(5, industry="Software")
    CustomerFactory.create_batch(2, industry="Retail")
    version = rubric_with_draft()
    webhook = webhook_for(version, receiver.url)

    publishing.rubric_publish(version=version, user=make_person("admin"))
    wait_for(
        lambda: sum(len(json.loads(r.body)["leads"]) for r in receiver.succeeded) == 5,
        timeout=30,
        what="the five leads at the receiver",
    )

    sent = sorted(lead["customer_id"] for r in receiver.requests for lead in json.loads(r.body)["leads"])
    assert sent == sorted(c.pk for c in software)
    for request in receiver.requests:
        assert signing.verify(header=request.headers["X-ICP-Signature"], body=request.body, secret=webhook.secret)
    wait_for(lambda: not Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists(), what="deliveries recorded")
    requests = len(receiver.requests)

    tasks.webhooks_dispatch.delay().get(timeout=20)
    for delivery_id in Delivery.objects.values_list("pk", flat=True):
        tasks.webhook_deliver.delay(delivery_id).get(timeout=20)
    tasks.webhooks_send_due.delay().get(timeout=20)

    assert len(receiver.requests) == requests
    assert len({r.headers["X-ICP-Delivery"] for r in receiver.requests}) == requests
