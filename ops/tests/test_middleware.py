import logging
import re

import pytest
from django.urls import reverse

from teams.models import Role


@pytest.mark.django_db
def test_it_answers_with_a_new_request_id(client):
    first = client.get(reverse("healthz"))["X-Request-ID"]
    second = client.get(reverse("healthz"))["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


@pytest.mark.django_db
def test_it_keeps_the_request_id_the_caller_sent(client):
    response = client.get(reverse("healthz"), headers={"X-Request-ID": "lb-7f3a.42"})

    assert response["X-Request-ID"] == "lb-7f3a.42"


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["", "has spaces", 'quote"s', "x" * 129, "line\\nbreak"])
def test_it_replaces_a_request_id_it_would_not_log_safely(client, sent):
    response = client.get(reverse("healthz"), headers={"X-Request-ID": sent})

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_it_puts_the_id_on_redirects_too(client):
    response = client.get(reverse("home"), headers={"X-Request-ID": "abc"})

    assert response.status_code == 302
    assert response["X-Request-ID"] == "abc"


@pytest.mark.django_db
def test_it_logs_one_access_line_with_the_request_s_fields(client_as, caplog):
    client = client_as(Role.MEMBER)
    caplog.set_level(logging.INFO, logger="ops.access")

    response = client.get(reverse("workshops:list"), headers={"X-Request-ID": "req-1"})

    [line] = [record for record in caplog.records if record.name == "ops.access"]
    assert response.status_code == 200
    assert line.request_id == "req-1"
    assert (line.method, line.path, line.status) == ("GET", "/workshops/", 200)
    assert isinstance(line.duration_ms, float)
    assert line.duration_ms > 0
    assert line.user_id == client.person.pk
    assert line.getMessage().startswith("GET /workshops/ 200 ")


@pytest.mark.django_db
def test_it_logs_the_status_of_a_refused_request(client_as, caplog):
    client = client_as(Role.MEMBER)
    caplog.set_level(logging.INFO, logger="ops.access")

    client.get(reverse("rubrics:list"))

    [line] = [record for record in caplog.records if record.name == "ops.access"]
    assert (line.status, line.user_id) == (403, client.person.pk)


@pytest.mark.django_db
def test_it_never_reads_the_session_just_to_log_the_user(client_as, caplog, django_assert_num_queries):
    client = client_as(Role.MEMBER)
    caplog.set_level(logging.INFO, logger="ops.access")

    with django_assert_num_queries(1):  # the health check's SELECT 1, not the session and the user
        client.get(reverse("healthz"))

    [line] = [record for record in caplog.records if record.name == "ops.access"]
    assert line.user_id is None


@pytest.mark.django_db
def test_every_line_logged_during_a_request_carries_its_id(client, settings, json_log):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # the health check logs a warning: the broker is down

    response = client.get(reverse("healthz"), headers={"X-Request-ID": "req-2"})

    lines = json_log()
    warning = next(line for line in lines if line["logger"] == "home.health")
    access = next(line for line in lines if line["logger"] == "ops.access")
    assert response.status_code == 503
    assert warning["request_id"] == access["request_id"] == "req-2"
    assert warning["level"] == "WARNING"
    assert "Traceback" in warning["exception"]
    assert {key: access[key] for key in ("method", "path", "status", "user_id")} == {
        "method": "GET",
        "path": "/healthz",
        "status": 503,
        "user_id": None,
    }
    assert access["time"].endswith("+00:00")


def test_lines_outside_a_request_have_no_id(json_log):
    logging.getLogger("somewhere").warning("nothing to do with a request")

    [line] = json_log()
    assert line["request_id"] == "-"
    assert line["message"] == "nothing to do with a request"
