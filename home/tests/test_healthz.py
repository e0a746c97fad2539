import pytest
from django.urls import reverse

from tests.support import redis_or_fail


@pytest.mark.django_db
def test_it_reports_database_up_and_in_process_jobs_without_redis(client, settings):
    settings.REDIS_URL = ""

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "broker": "in-process"}


@pytest.mark.django_db
def test_it_reports_a_real_redis_broker_up(client, settings):
    settings.REDIS_URL = redis_or_fail()

    response = client.get(reverse("healthz"))

    assert response.json()["broker"] == "up"


@pytest.mark.django_db
def test_it_answers_503_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "up", "broker": "down"}


@pytest.mark.django_db
def test_it_needs_no_login_and_is_never_cached(client):
    response = client.get(reverse("healthz"))

    assert response.status_code in (200, 503)
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_503_when_the_database_is_down(client, settings, monkeypatch):
    from django.db import OperationalError

    class UnreachableDatabase:
        def cursor(self):
            raise OperationalError("connection refused")

    settings.REDIS_URL = ""
    monkeypatch.setattr("home.views.connection", UnreachableDatabase())

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "down", "broker": "in-process"}
