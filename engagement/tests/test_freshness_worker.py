"""Events sent through the API move the account's score through the broker and a real worker, within 5 s."""

import datetime
import time

import pytest

from customers.tests.factories import CustomerFactory
from profiles.models import Profile
from rubrics.models import Criterion, Rubric, RubricVersion, Score
from rubrics.selectors import version_spec
from rubrics.services.scores import scores_write
from teams.models import Role
from teams.services import api_token_create

pytestmark = [pytest.mark.worker]


def _engagement_rubric() -> RubricVersion:
    """Published: 3 points for website visits worth at least 2 after decay (1 a visit, half-life 14 days)."""
    rubric = Rubric.objects.create(profile=Profile.objects.create(name="Engaged"), name="Engagement")
    version = RubricVersion.objects.create(rubric=rubric, number=1, threshold=3, status="published")
    Criterion.objects.create(
        version=version,
        field="website_visits_30d",
        operator="gte",
        values=[2],
        points=3,
        group="engagement",
        decay={"event_type": "website_visit", "points": 1, "half_life": 14, "cap_per_day": 20, "cap_total": None},
    )
    return version


def test_events_posted_push_the_score_within_five_seconds(real_worker, client, make_person):
    token = api_token_create(user=make_person(Role.ADMIN), name="events")[1]
    customer = CustomerFactory(website_visits_30d=0)
    version = _engagement_rubric()
    scores_write(version=version, spec=version_spec(version), low_id=customer.pk, high_id=customer.pk)
    assert Score.objects.get(customer=customer).total == 0
    now = datetime.datetime.now(datetime.UTC)
    events = [
        {"id": f"v-{n}", "external_id": customer.external_id, "type": "website_visit", "occurred_at": now.isoformat()}
        for n in range(2)
    ]

    sent = time.monotonic()
    response = client.post(
        "/api/events/", {"events": events}, content_type="application/json", headers={"Authorization": f"Token {token}"}
    )
    while time.monotonic() - sent < 5 and not Score.objects.filter(customer=customer, total=3).exists():
        time.sleep(0.05)

    assert response.status_code == 200
    assert Score.objects.get(customer=customer).total == 3, "the score moved within 5 s"
