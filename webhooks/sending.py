"""One HTTP POST of a webhook, with the standard library, and what came of it. No Django.

The post goes to the address `addresses.public_address` checked, not to whatever the name resolves to
when the socket opens: the Host header and the TLS certificate check still use the name. Only the status
and a short reason are kept from the answer, never its body (an answer is the receiver's to keep).
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from .addresses import AddressRefused, public_address

USER_AGENT = "ICP-Workshop-Webhooks/1"
REASON_CHARS = 80


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = str(address)

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = str(address)

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool = False) -> Answer:
    """POST ``body`` to ``url``; any answer but 2xx (a redirect included), and any network error, is a failure."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    parts = urlsplit(url)
    https = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    try:
        address = public_address(host, port, allow_private=allow_private)
    except AddressRefused as refused:
        return Answer(None, f"Not sent: {refused}"[:300], elapsed())
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if https:
        connection = _PinnedHTTPSConnection(
            host, port, address=address, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = _PinnedHTTPConnection(host, port, address=address, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        status, reason = response.status, (response.reason or "")[:REASON_CHARS]
        return Answer(status, "" if 200 <= status < 300 else f"HTTP {status} {reason}".strip(), elapsed())
    except TimeoutError:
        return Answer(None, f"No answer within {timeout:g} s.", elapsed())
    except (http.client.HTTPException, OSError, ValueError) as error:
        return Answer(None, _short(error), elapsed())
    finally:
        connection.close()


def _short(error: BaseException) -> str:
    text = str(error) or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}"[:300]
