"""A task started within a request runs with the request's id, in-process and in a real worker."""

import logging

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from icpsite.celery import app as celery_app
from ops.context import current_request_id
from ops.middleware import RequestIdMiddleware
from tests.support import wait_for

seen: list[dict] = []
logger = logging.getLogger(__name__)


@celery_app.task(name="ops.tests.request_id_probe")
def request_id_probe():
    logger.info("probe ran")
    seen.append({"request_id": current_request_id()})


def _request_starting_the_probe(request_id: str) -> HttpResponse:
    def view(request):
        request_id_probe.delay()
        return HttpResponse("started")

    request = RequestFactory().get("/start/", headers={"X-Request-ID": request_id})
    return RequestIdMiddleware(view)(request)


@pytest.fixture(autouse=True)
def _nothing_seen_yet():
    seen.clear()
    yield
    seen.clear()


def test_an_in_process_task_runs_with_the_request_s_id():
    response = _request_starting_the_probe("req-eager")

    assert response["X-Request-ID"] == "req-eager"
    assert seen == [{"request_id": "req-eager"}]
    assert current_request_id() is None, "the id does not outlive its request"


@pytest.mark.worker
def test_a_worker_gets_the_id_in_the_task_s_headers_and_logs_it(real_worker, json_log):
    _request_starting_the_probe("req-worker")

    def succeeded():
        return [line for line in json_log() if line["logger"] == "celery.app.trace" and "probe" in line["message"]]

    wait_for(succeeded, what="the worker to run the probe")
    assert seen == [{"request_id": "req-worker"}]
    [line] = [line for line in json_log() if line["message"] == "probe ran"]
    assert line["request_id"] == "req-worker"
    assert line["task_name"] == "ops.tests.request_id_probe"
    assert line["task_id"]
    assert succeeded()[0]["request_id"] == "req-worker", "Celery's own line about the task carries the id too"


def test_a_task_started_outside_a_request_has_no_id():
    request_id_probe.delay()

    assert seen == [{"request_id": None}]
