"""The request id of the work in progress: an HTTP request in the web process, or the task it started."""

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
# What we accept from a client or a proxy: short, and nothing that could forge a log line.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:@-]{1,128}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
task_var: ContextVar[tuple[str, str] | None] = ContextVar("task", default=None)  # (task id, task name)


def request_id_from(given: str | None) -> str:
    """The id a caller sent, if it is a sensible one; else a new one."""
    if given and _ACCEPTED.fullmatch(given):
        return given
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return request_id_var.get()
