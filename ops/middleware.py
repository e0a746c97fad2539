"""One id per request (on the response and every log line) and its access line; answers when a service is down."""

import logging
import time

from django.contrib import messages
from django.utils.functional import empty

from . import outages
from .context import HEADER, request_id_from, request_id_var

access_log = logging.getLogger("ops.access")
logger = logging.getLogger(__name__)


class RequestIdMiddleware:
    """First in MIDDLEWARE (after the live polls answered 304, workshops/live.py), so every answer carries
    ``X-Request-ID`` (the caller's, or a new one).

    The access line's duration is until the response is returned: a streamed export goes on after it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            access_log.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def _user_id(request) -> int | None:
    """The signed-in person's id, if the request looked them up (never a session query just for the log)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class ServiceUnavailableMiddleware:
    """A view that meets an unreachable database or Redis answers 503 saying so, not 500 (see ops.outages)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        service = outages.unavailable_service(exception)
        if service is None:
            return None
        logger.error("%s %s: %s is unavailable", request.method, request.path, service, exc_info=exception)
        return outages.service_unavailable(request, service)


class DeferredSendsMiddleware:
    """Tell the signed-in person what waits for the job queue when the request could not send a task.

    After the messages and authentication middleware: the warning is shown on the next page (the redirect's).
    A view that words it itself (``ops.outages.sends_watched``) leaves nothing here. Anonymous visitors (a
    survey's respondent) are told nothing: what waits is the staff's concern.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with outages.sends_watched() as deferred:
            response = self.get_response(request)
        if deferred and _shows_messages(request, response):
            text = "The job queue cannot be reached just now. " + " ".join(deferred)
            messages.warning(request, text, fail_silently=True)
        return response


def _shows_messages(request, response) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return response.status_code in (301, 302, 303) or response.get("Content-Type", "").startswith("text/html")
