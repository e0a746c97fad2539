"""The rubric editor sets an engagement criterion's decay: event type, worth per event, half-life and caps."""

import pytest
from django.urls import reverse

from engagement.services import event_types_default_ensure
from profiles.services.profiles import profile_create
from rubrics.models import Criterion
from rubrics.services.drafts import rubric_create
from teams.models import Role

VISITS = {"field": "website_visits_30d", "operator": "gte", "values": "2.5", "points": "2", "group": "engagement"}
DECAY = {"decay_event_type": "website_visit", "decay_points": "1", "decay_half_life": "14", "decay_cap_per_day": "20"}


@pytest.fixture
def admin(client_as):
    return client_as(Role.ADMIN)


@pytest.fixture
def draft(db):
    event_types_default_ensure()  # the form offers the types there are
    profile = profile_create(name="SaaS", user=None)
    return rubric_create(profile=profile, name="Fit", user=None).versions.get()


def _add(admin, draft, data):
    return admin.post(reverse("rubrics:criterion_add", kwargs={"version_id": draft.pk}), data | {"revision": 1})


def test_it_adds_a_criterion_that_reads_events_with_decay(admin, draft):
    response = _add(admin, draft, VISITS | DECAY)

    assert response.status_code == 302
    criterion = Criterion.objects.get(version=draft)
    assert criterion.values == [2.5], "a criterion reading events takes decimals"
    assert criterion.decay == {
        "event_type": "website_visit",
        "points": 1.0,
        "half_life": 14.0,
        "cap_per_day": 20,
        "cap_total": None,
    }


def test_the_edit_form_shows_the_decay_settings(admin, draft):
    _add(admin, draft, VISITS | DECAY)
    criterion = Criterion.objects.get(version=draft)

    page = admin.get(reverse("rubrics:criterion_edit", kwargs={"criterion_id": criterion.pk})).content.decode()

    assert '<option value="website_visit" selected>' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (VISITS | {"decay_event_type": "website_visit", "decay_points": "1"}, "Give the half-life in days"),
        (VISITS | DECAY | {"decay_half_life": "0"}, "Ensure this value is greater than or equal to 0.01"),
        (VISITS | DECAY | {"decay_event_type": "carrier_pigeon"}, "Select a valid choice"),
        (
            {"field": "industry", "operator": "in", "values": "Software", "points": "2", "group": "fit"} | DECAY,
            "Events are read by a number field",
        ),
    ],
)
def test_it_refuses_bad_decay_settings_with_a_message(admin, draft, data, message):
    response = _add(admin, draft, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Criterion.objects.exists()
