"""The tasks, the hook after re-scoring, and the command: in-process, dispatch makes deliveries but sends none."""

import pytest
from django.core.management import call_command

from customers.tests.factories import CustomerFactory
from rubrics import tasks as rubric_tasks
from rubrics.services import publishing
from rubrics.tests.factories import rubric_with_draft
from webhooks import tasks
from webhooks.models import Delivery, DeliveryStatus
from webhooks.tests.factories import published_rubric, qualify, webhook_for

pytestmark = pytest.mark.django_db


def test_in_process_the_dispatch_task_makes_deliveries_but_sends_none(receiver):
    version = published_rubric()
    webhook_for(version, receiver.url)
    qualify(version, 2)

    tasks.webhooks_dispatch.apply()

    assert Delivery.objects.get().status == DeliveryStatus.PENDING
    assert receiver.requests == []


def test_the_deliver_task_run_twice_sends_once(receiver):
    version = published_rubric()
    webhook_for(version, receiver.url)
    qualify(version, 2)
    tasks.webhooks_dispatch.apply()
    delivery = Delivery.objects.get()

    tasks.webhook_deliver.apply(args=[delivery.pk])
    tasks.webhook_deliver.apply(args=[delivery.pk])

    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_a_rescore_job_dispatches_its_new_qualifications(receiver, make_person, django_capture_on_commit_callbacks):
    software = CustomerFactory.create_batch(3, industry="Software")
    CustomerFactory(industry="Retail")
    version = rubric_with_draft()
    webhook = webhook_for(version, receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        publishing.rubric_publish(version=version, user=make_person("admin"))

    delivery = webhook.deliveries.get()
    assert [lead["customer_id"] for lead in delivery.payload["leads"]] == [c.pk for c in software]
    assert receiver.requests == [], "in-process, a publish does not wait on the CRM"


def test_a_customer_rescore_dispatches_its_qualification(receiver, django_capture_on_commit_callbacks):
    version = published_rubric()
    webhook = webhook_for(version, receiver.url)
    customer = CustomerFactory(industry="Software")

    with django_capture_on_commit_callbacks(execute=True):
        rubric_tasks.customers_rescore.apply(args=[[customer.pk]])

    assert [lead["customer_id"] for lead in webhook.deliveries.get().payload["leads"]] == [customer.pk]


def test_a_webhook_failure_never_fails_the_rescore(monkeypatch, django_capture_on_commit_callbacks):
    def broken():
        raise RuntimeError("the dispatcher is broken")

    monkeypatch.setattr("webhooks.services.dispatch.webhooks_dispatch", broken)
    version = published_rubric()
    webhook_for(version, "https://crm.example.com/hooks")
    customer = CustomerFactory(industry="Software")

    with django_capture_on_commit_callbacks(execute=True):
        result = rubric_tasks.customers_rescore.apply(args=[[customer.pk]])

    assert result.successful()
    assert customer.scores.get().qualified


def test_the_command_makes_and_sends_deliveries_here_and_now(receiver):
    version = published_rubric()
    webhook_for(version, receiver.url)
    qualify(version, 2)

    call_command("webhooks_send", "--seconds", "30")

    assert len(receiver.requests) == 1
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_the_beat_runs_the_dispatch_every_minute(settings):
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "webhooks.tasks.webhooks_dispatch"]

    assert (entry["schedule"].minute, entry["schedule"].hour) == (set(range(60)), set(range(24)))
