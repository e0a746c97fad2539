"""Through the broker and a real Celery worker: a change pushes a prospect over the threshold, and within 5 s it
has an owner by the rules and the rep's "lead.assigned" webhook reached a real HTTP server (beside the unchanged
"lead.qualified" one)."""

import json
import time

import pytest

from customers.models import Customer
from customers.services.records import customer_update
from routing.models import AssignmentLog, AssignmentWhy
from routing.tests.factories import prospects, published_rubric, qualify, rep, rule
from tests.support import wait_for
from webhooks import signing
from webhooks.services.webhooks import webhook_save
from webhooks.tests.receiver import Receiver

pytestmark = [pytest.mark.worker]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver listens on 127.0.0.1
    settings.WEBHOOK_ALLOW_HTTP = True
    with Receiver() as server:
        yield server


def _events(receiver) -> dict[str, list[dict]]:
    events: dict[str, list[dict]] = {}
    for request in receiver.succeeded:
        body = json.loads(request.body)
        events.setdefault(body["event"], []).append(body)
    return events


def test_a_prospect_over_the_threshold_gets_an_owner_within_5_s_and_the_webhook_is_sent(
    real_worker, receiver, make_person
):
    ann, bob, cem = rep("ann"), rep("bob"), rep("cem")
    rule("France", [cem], position=1, country="France")
    rule("Germany", [ann, bob], position=2, country="Germany", last_rep=ann)  # bob's turn
    version = published_rubric()
    webhook = webhook_save(rubric=version.rubric, url=receiver.url, is_active=True, user=None)
    prospect = prospects(1, industry="Retail", country="Germany")[0]
    qualify(version, prospect)  # scored: 0 points, under the threshold of 3
    assert not prospect.scores.get().qualified

    started = time.monotonic()
    customer_update(customer=prospect, values={"industry": "Software"}, user=make_person("admin"))
    wait_for(
        lambda: Customer.objects.filter(pk=prospect.pk, owner__isnull=False).exists(),
        timeout=5,
        what="an owner within 5 s",
    )
    took = time.monotonic() - started

    assert Customer.objects.get(pk=prospect.pk).owner == bob, f"owned after {took:.2f} s"
    log = AssignmentLog.objects.get(customer=prospect)
    assert (log.why, log.to_user, log.rule.name, log.rubric_id) == (
        AssignmentWhy.ASSIGNED,
        bob,
        "Germany",
        version.rubric_id,
    )

    wait_for(lambda: {"lead.assigned", "lead.qualified"} <= set(_events(receiver)), timeout=15, what="both webhooks")
    events = _events(receiver)
    (assigned,) = events["lead.assigned"]
    assert assigned["assigned_to"]["username"] == "bob"
    assert [lead["customer_id"] for lead in assigned["leads"]] == [prospect.pk]
    qualified = [lead for body in events["lead.qualified"] for lead in body["leads"]]
    assert [lead["customer_id"] for lead in qualified] == [prospect.pk]
    assert {"customer_id", "external_id", "name", "domain", "total", "grade", "owner", "qualified_at"} <= set(
        qualified[0]
    )
    for request in receiver.succeeded:
        assert signing.verify(header=request.headers["X-ICP-Signature"], body=request.body, secret=webhook.secret)
