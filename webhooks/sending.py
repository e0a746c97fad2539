"""One HTTP POST of a webhook, with the standard library, and what came of it. No Django."""

import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

EXCERPT_BYTES = 300  # of the response body, kept in the log; the rest is not read
USER_AGENT = "ICP-Workshop-Webhooks/1"


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str
    duration_ms: int
    response_excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address to post the leads to: it counts as a failure."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST ``body`` to ``url``; any answer but 2xx, and any network error, is a failure."""
    request = urllib.request.Request(url, data=body, method="POST", headers={"User-Agent": USER_AGENT, **headers})
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        with _opener.open(request, timeout=timeout) as response:
            excerpt = response.read(EXCERPT_BYTES)
            return Answer(response.status, "", elapsed(), _text(excerpt))
    except urllib.error.HTTPError as error:
        excerpt = error.read(EXCERPT_BYTES) if error.fp else b""
        return Answer(error.code, f"HTTP {error.code} {error.reason}"[:300], elapsed(), _text(excerpt))
    except TimeoutError:
        return Answer(None, f"No answer within {timeout:g} s.", elapsed())
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            return Answer(None, f"No answer within {timeout:g} s.", elapsed())
        return Answer(None, _short(error.reason), elapsed())
    except (http.client.HTTPException, OSError, ValueError) as error:
        return Answer(None, _short(error), elapsed())


def _short(error) -> str:
    text = str(error) or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}"[:300] if isinstance(error, BaseException) else text[:300]


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:EXCERPT_BYTES]
