"""New qualifications become deliveries: each once, in batches, never the past, never the unqualified."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from rubrics.models import QualificationChange
from teams.models import Role
from webhooks.models import LEAD_QUALIFIED, Delivery, DeliveryStatus, Webhook
from webhooks.services import dispatch
from webhooks.tests.factories import published_rubric, qualify, score, webhook_for

pytestmark = pytest.mark.django_db

URL = "https://crm.example.com/hooks/icp"


def _leads(webhook) -> list[dict]:
    return [lead for delivery in webhook.deliveries.order_by("id") for lead in delivery.payload["leads"]]


def test_it_turns_a_qualification_into_a_delivery_describing_the_lead(make_person, settings):
    settings.SITE_URL = "https://icp.example.com/"
    version = published_rubric(grades=[{"label": "A", "min": 3}])
    webhook = webhook_for(version, URL)
    rep = make_person(Role.SALES_REP, username="rita")
    (customer,) = qualify(version, 1, owner=rep, name="Acme GmbH", domain="acme.example")

    created = dispatch.webhooks_dispatch()

    assert created == 1
    delivery = Delivery.objects.get()
    change = QualificationChange.objects.get()
    assert (delivery.webhook, delivery.event, delivery.status, delivery.lead_count) == (
        webhook,
        LEAD_QUALIFIED,
        DeliveryStatus.PENDING,
        1,
    )
    assert delivery.payload == {
        "event": LEAD_QUALIFIED,
        "id": str(delivery.event_id),
        "created_at": delivery.created_at.isoformat(),
        "rubric": {"id": version.rubric_id, "name": "Fit", "profile": version.rubric.profile.name},
        "leads": [
            {
                "customer_id": customer.pk,
                "external_id": customer.external_id,
                "name": "Acme GmbH",
                "domain": "acme.example",
                "total": 3,
                "grade": "A",
                "owner": "rita",
                "qualified_at": change.changed_at.isoformat(),
                "rubric_version": version.number,
                "url": "https://icp.example.com"
                + reverse("leads:detail", kwargs={"rubric_id": version.rubric_id, "customer_id": customer.pk}),
            }
        ],
    }


def test_it_batches_250_qualified_customers_into_3_deliveries(settings):
    settings.WEBHOOK_BATCH_SIZE = 100
    version = published_rubric()
    webhook = webhook_for(version, URL)
    customers = qualify(version, 250)

    dispatch.webhooks_dispatch()

    assert list(webhook.deliveries.order_by("id").values_list("lead_count", flat=True)) == [100, 100, 50]
    assert [lead["customer_id"] for lead in _leads(webhook)] == [customer.pk for customer in customers]
    assert len({delivery.event_id for delivery in webhook.deliveries.all()}) == 3


def test_it_reads_a_big_backlog_a_transaction_at_a_time_and_misses_nothing(settings, monkeypatch):
    monkeypatch.setattr(dispatch, "EVENTS_PER_TRANSACTION", 4)
    settings.WEBHOOK_BATCH_SIZE = 3
    version = published_rubric()
    webhook = webhook_for(version, URL)
    customers = qualify(version, 10)

    dispatch.webhooks_dispatch()

    # 4 + 4 + 2 events, each transaction's leads in batches of 3
    assert list(webhook.deliveries.order_by("id").values_list("lead_count", flat=True)) == [3, 1, 3, 1, 2]
    assert [lead["customer_id"] for lead in _leads(webhook)] == [customer.pk for customer in customers]


def test_it_makes_each_qualification_a_delivery_once():
    version = published_rubric()
    webhook = webhook_for(version, URL)
    qualify(version, 3)

    dispatch.webhooks_dispatch()
    dispatch.webhooks_dispatch()

    assert webhook.deliveries.count() == 1
    assert len(_leads(webhook)) == 3
    webhook.refresh_from_db()
    assert webhook.cursor == QualificationChange.objects.latest("id").pk


def test_a_webhook_set_up_later_does_not_replay_earlier_qualifications():
    version = published_rubric()
    qualify(version, 2)
    webhook = webhook_for(version, URL)
    (later,) = qualify(version, 1)

    dispatch.webhooks_dispatch()

    assert [lead["customer_id"] for lead in _leads(webhook)] == [later.pk]


def test_it_sends_entering_qualification_only():
    version = published_rubric()
    webhook = webhook_for(version, URL)
    staying, leaving = qualify(version, 2)
    never = CustomerFactory(industry="Retail")
    score(version, [never])
    dispatch.webhooks_dispatch()
    webhook.deliveries.all().delete()

    for customer, industry in ((leaving, "Retail"), (never, "Software")):
        customer.industry = industry
        customer.save()
    staying.name = "Renamed, still qualified"
    staying.save()
    score(version, [staying, leaving, never])
    dispatch.webhooks_dispatch()

    assert [lead["customer_id"] for lead in _leads(webhook)] == [never.pk]
    assert QualificationChange.objects.filter(customer=leaving, qualified=False).exists()


def test_a_customer_qualifying_again_is_sent_again():
    version = published_rubric()
    webhook = webhook_for(version, URL)
    (customer,) = qualify(version, 1)
    dispatch.webhooks_dispatch()
    for industry in ("Retail", "Software"):
        customer.industry = industry
        customer.save()
        score(version, [customer])

    dispatch.webhooks_dispatch()

    assert [lead["customer_id"] for lead in _leads(webhook)] == [customer.pk, customer.pk]


def test_it_sends_a_rubric_s_leads_to_that_rubric_s_webhook_only():
    fit, other = published_rubric(), published_rubric()
    webhook = webhook_for(fit, URL)
    (mine,) = qualify(fit, 1)
    qualify(other, 2)

    dispatch.webhooks_dispatch()

    assert [lead["customer_id"] for lead in _leads(webhook)] == [mine.pk]


def test_an_inactive_webhook_makes_no_deliveries_and_does_not_catch_up_when_switched_on():
    version = published_rubric()
    webhook = webhook_for(version, URL, is_active=False)
    qualify(version, 2)
    dispatch.webhooks_dispatch()
    assert not Delivery.objects.exists()

    webhook_for(version, URL, is_active=True)
    (after,) = qualify(version, 1)
    dispatch.webhooks_dispatch()

    assert [lead["customer_id"] for lead in _leads(webhook)] == [after.pk]


def test_a_lead_without_grades_or_owner_says_so():
    version = published_rubric()
    webhook = webhook_for(version, URL)
    qualify(version, 1, owner=None)

    dispatch.webhooks_dispatch()

    (lead,) = _leads(webhook)
    assert (lead["grade"], lead["owner"]) == (None, None)


def test_a_new_webhook_starts_at_the_newest_change_of_any_rubric():
    qualify(published_rubric(), 2)

    webhook = webhook_for(published_rubric(), URL)

    assert webhook.cursor == QualificationChange.objects.latest("id").pk
    assert Webhook.objects.get().cursor == webhook.cursor


@pytest.mark.django_db(transaction=True)
def test_a_qualification_committed_late_with_a_lower_id_is_not_skipped():
    """Two scoring transactions of a rubric commit out of id order; the dispatcher waits instead of skipping one."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite commits one writer at a time, so ids always commit in order")
    version = published_rubric()
    webhook = webhook_for(version, URL)
    early, late = CustomerFactory.create_batch(2, industry="Software")
    inserted, finish = threading.Event(), threading.Event()

    def slow_scoring():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:  # as scoring does (rubrics.services.rescoring)
                    cursor.execute("SELECT 1 FROM rubrics_rubric WHERE id = %s FOR SHARE", [version.rubric_id])
                _change(version, early)
                inserted.set()
                finish.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=slow_scoring)
    worker.start()
    assert inserted.wait(10)
    _change(version, late)  # a higher id, committed first

    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '200ms'")
    try:
        with pytest.raises(OperationalError, match="lock timeout"):
            dispatch.webhooks_dispatch()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
        finish.set()
        worker.join(10)

    dispatch.webhooks_dispatch()

    assert sorted(lead["customer_id"] for lead in _leads(webhook)) == sorted([early.pk, late.pk])


def _change(version, customer):
    return QualificationChange.objects.create(
        customer=customer,
        rubric_id=version.rubric_id,
        version=version,
        was_qualified=None,
        qualified=True,
        total=3,
        changed_at=timezone.now(),
    )
