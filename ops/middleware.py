"""One id per request, on the response and on every log line, and one access log line per request."""

import logging
import time

from django.utils.functional import empty

from .context import HEADER, request_id_from, request_id_var

access_log = logging.getLogger("ops.access")


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every answer carries ``X-Request-ID`` (the caller's, or a new one).

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
