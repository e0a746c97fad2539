"""Live fragments: htmx polls each region of a workshop page as a conditional request, and the server answers
``304 Not Modified`` on a path that loads neither the session nor the user.

The region's element carries the ETag it was rendered from (``hx-headers`` sends it back as
``If-None-Match``). The ETag names the region, the step, the workshop, its version (``version``, bumped by
every write, see services/; the step bar's is ``bar_version``, which proposals and votes leave alone), the
person, and a signature: an HMAC of all that and of the person's session cookie, made only after the full
path checked that the person may see the region.

The fast path (``LivePollMiddleware``, first in MIDDLEWARE, for the views marked ``live_poll``): an ETag whose
signature matches this request's session cookie, and whose version is still the workshop's (one primary-key
read), answers 304 at once, before the rest of the middleware: no session or user query, no rendering, no
security headers (a 304 has no content), no access log line (fifty people polling make two hundred of them a
second; the log keeps the requests that did something). Anything else (no ETag, another
session's, a changed version) takes the full path: session, user, access check (403/404), rendering. So a
person whose invitation is taken back (that bumps the version) gets their 403 at their next poll; a copied
ETag is worthless without the session cookie it was signed for. A 304 carries no content.

The proposals and the board, asked with ``X-Live-Wait`` on a server that runs requests in threads, are not
answered at once when unchanged: the request waits in the middleware until the version moves (long polling,
live_wait.py). Then the proposals are drawn here too (``_woken_answer``), without the session, the user or the
rest of the middleware: one query (live_asker.py) checks that the session cookie still signs in the person the
ETag names and reads whether they are still invited, the same access rule as the full path applies, and the
view's ``woken`` function draws the region. Whatever is not plainly so (no such session, another person, a
password changed, an account deactivated, an invitation taken back) goes on along the full path as if it had
just arrived with an old ETag, and gets what anyone gets there (the sign-in page, 403); so does the board.

A changed version renders the region again (its cards drawn once per version, see cards.py), so a late joiner
or a reload simply gets the current state. The forms people type in are never inside a polled region.
Each poll also notes that the person is here (services/presence.py).
"""

import threading
import time
from typing import NamedTuple

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import quote_etag

from teams.models import Role

from .access import FACILITATING_ROLES
from .live_asker import woken_asker
from .live_wait import VersionWatch
from .models import Workshop
from .selectors import workshop_live_state
from .services.presence import presence_note

# How often each region asks. The proposals and the board wait in the server for a change (live_wait.py) and
# ask again as soon as they have their answer, but no sooner than POLL_MS after they last asked
# (static/js/live-regions.js): on a server that cannot wait, that is a poll every 0.3 s. The step bar changes
# only when steps open or close, so a poll once a second is enough to follow the facilitator within 2 s.
POLL_MS = 300
BAR_POLL_MS = 1000
WAITING_REGIONS = frozenset({"proposals", "board"})
FACILITATOR_REGIONS = frozenset({"board"})  # the others: everyone invited, and admins
POLL_TRIGGER = "load, live-next, workshop-changed from:body"
BAR_POLL_TRIGGER = f"every {BAR_POLL_MS}ms, workshop-changed from:body"
# The board re-renders at least this often, so presence ("who left") shows without any other change.
PRESENCE_REFRESH_SECONDS = 10

_SALT = "workshops.live"


class Live(NamedTuple):
    etag: str
    version: int  # the workshop's, as read for the ETag
    invited: bool


def live_etag(request: HttpRequest, step_id: int, region: str, *, facilitator_only: bool = False) -> str:
    return live_state(request, step_id, region, facilitator_only=facilitator_only).etag


def live_state(request: HttpRequest, step_id: int, region: str, *, facilitator_only: bool = False) -> Live:
    """The region's ETag for this person (and the version it comes from), after checking they may see it
    (403 otherwise).

    Read it before anything the region shows: the region is then at least as new as its ETag, so a
    change committed meanwhile is fetched again by the next poll rather than missed.
    """
    user = request.user
    state = workshop_live_state(step_id, user)
    if state is None:
        raise Http404("No such workshop.")
    workshop_id, version, bar_version, invited, facilitates = state
    facilitates = facilitates and user.role in FACILITATING_ROLES
    if not _allowed(user.role, invited, facilitates, facilitator_only=facilitator_only):
        raise PermissionDenied("This workshop is for the people invited to it.")
    presence_note(workshop_id, user.pk)
    stamp = _stamp(region, version, bar_version)
    etag = _signed_etag(request, region, step_id, workshop_id, stamp, user.pk, int(facilitates))
    return Live(etag, version, invited)


def _allowed(role: str, invited: bool, facilitates: bool, *, facilitator_only: bool = False) -> bool:
    """Whether someone may see a region: the facilitator's own regions only them, the others everyone invited
    and admins too."""
    return facilitates if facilitator_only else (facilitates or invited or role == Role.ADMIN)


def _stamp(region: str, version: int, bar_version: int) -> str:
    """What must stay the same for the region to be unchanged."""
    if region == "bar":
        return str(bar_version)
    if region == "board":  # presence changes with time alone
        return f"{version}t{int(time.time() // PRESENCE_REFRESH_SECONDS)}"
    return str(version)


def _signature(request: HttpRequest, payload: str) -> str:
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    return salted_hmac(_SALT, f"{payload}|{session}", algorithm="sha256").hexdigest()[:20]


def _signed_etag(request, region: str, step_id: int, workshop_id: int, stamp: str, user_id: int, flag: int) -> str:
    payload = f"{region}.{step_id}.{workshop_id}.{stamp}.{user_id}.{flag}"
    return quote_etag(f"{payload}.{_signature(request, payload)}")


def live_poll(region: str, *, woken=None):
    """Mark a region's view for ``LivePollMiddleware``'s cheap 304 (see the module's docstring).

    ``woken(request, step_id, asker, live)`` draws the region for a request woken by a change (long polling),
    after ``_woken_answer`` checked who asks without the session middleware (live_asker.py): ``asker.user``
    carries only its id, password, is_active and role, and the request has no session and no ``user``."""

    def decorator(view):
        view.live_region = region
        view.live_woken = woken
        return view

    return decorator


class LivePollMiddleware:
    """First in MIDDLEWARE: a conditional GET of a live region whose ETag is still current gets its 304 here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and "HTTP_IF_NONE_MATCH" in request.META:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            region = getattr(match.func, "live_region", None) if match else None
            if region:
                try:
                    response = _still_current(request, region, match.kwargs["step_id"])
                except DatabaseError:  # the full path meets it again, where it becomes a clear 503 (ops/outages.py)
                    response = None
                if response is not None:
                    return response
                if getattr(request, "live_woken", None):
                    # Everyone's wait ends at the same change: draw the news a few at a time, each at full speed,
                    # rather than all at once, each slowed by the others for the interpreter's lock. A turn not
                    # come within WOKEN_TURN_SECONDS (a render stuck on a lock) is not waited for.
                    turn = _WOKEN_RENDERS.acquire(timeout=WOKEN_TURN_SECONDS)
                    try:
                        try:
                            response = _woken_answer(request, match, region)
                        except DatabaseError:  # as above: the full path makes it a clear 503
                            response = None
                        return response if response is not None else self.get_response(request)
                    finally:
                        if turn:
                            _WOKEN_RENDERS.release()
        return self.get_response(request)


def _still_current(request: HttpRequest, region: str, step_id: int) -> HttpResponse | None:
    sent = request.headers.get("If-None-Match", "").strip().removeprefix("W/").strip('"')
    if not sent or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    payload, _, signature = sent.rpartition(".")
    parts = payload.split(".")
    if len(parts) != 6 or parts[0] != region or parts[1] != str(step_id):
        return None
    if not constant_time_compare(signature, _signature(request, payload)):
        return None
    _, _, workshop_id, stamp, user_id, _ = parts
    if not (workshop_id.isdigit() and user_id.isdigit()):
        return None
    row = _versions(int(workshop_id))
    if row is None or _stamp(region, *row) != stamp:
        return None
    presence_note(int(workshop_id), int(user_id))
    if _may_wait(request, region) and _wait_for_change(int(workshop_id), region, stamp, row):
        request.live_woken = (int(workshop_id), int(user_id))
        return None  # it changed while the request waited: _woken_answer, or the full path, draws the news
    response = HttpResponseNotModified()
    response["ETag"] = quote_etag(sent)
    response["HX-Reswap"] = "none"
    _no_store_without_asking(response)
    return response


def _woken_answer(request: HttpRequest, match, region: str) -> HttpResponse | None:
    """The news for a request woken by a change, drawn without the session, the user or the rest of the
    middleware (they were most of its cost, fifty times per change): who asks is read and checked in one query
    (live_asker.py), then the same access rule and region as the full path. None when the view draws no woken
    answer or anything about the person is not plainly as the ETag says: the full path answers then.

    What the middleware it skips would add is added here: the CSRF cookie when the person has none (their vote
    buttons carry a token) and the security headers. Like a 304, it writes no access log line."""
    draw = getattr(match.func, "live_woken", None)
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if draw is None or not session_key:
        return None
    workshop_id, user_id = request.live_woken
    step_id = match.kwargs["step_id"]
    asker = woken_asker(session_key, user_id, step_id)
    if asker is None or asker.workshop_id != workshop_id:
        return None
    user = asker.user
    facilitates = asker.facilitator_id == user.pk and user.role in FACILITATING_ROLES
    if not _allowed(user.role, asker.invited, facilitates, facilitator_only=region in FACILITATOR_REGIONS):
        return None  # the full path refuses it (403) as it refuses everyone
    presence_note(workshop_id, user.pk)
    stamp = _stamp(region, asker.version, asker.bar_version)
    etag = _signed_etag(request, region, step_id, workshop_id, stamp, user.pk, int(facilitates))
    _CSRF.process_request(request)
    response = draw(request, step_id, asker, Live(etag, asker.version, asker.invited))
    _CSRF.process_response(request, response)
    patch_vary_headers(response, ("Cookie",))  # drawn for the session's person, as the full path says too
    for middleware in _HEADERS:
        response = middleware.process_response(request, response)
    return response


def _no_view(request):  # the middleware below are used for their process_* methods only
    raise AssertionError("never called")


_CSRF = CsrfViewMiddleware(_no_view)
_HEADERS = [SecurityMiddleware(_no_view), CSPMiddleware(_no_view), XFrameOptionsMiddleware(_no_view)]


def _may_wait(request: HttpRequest, region: str) -> bool:
    """Whether this poll may wait for a change (live_wait.py): the page asked, the region is one that waits,
    and the server runs requests in threads, so a waiting one blocks nobody else."""
    return (
        settings.LIVE_WAIT_SECONDS > 0
        and region in WAITING_REGIONS
        and request.headers.get("X-Live-Wait") == "1"
        and request.META.get("wsgi.multithread", False)
    )


def _wait_for_change(workshop_id: int, region: str, stamp: str, known: tuple[int, int]) -> bool:
    """Wait (live_wait.py) until the region's stamp moves on from ``known``; True when it did."""

    def still(row: tuple[int, int]) -> bool:
        # An older row (a read that began before this request's own) is no news.
        return row[0] < known[0] or row[1] < known[1] or _stamp(region, *row) == stamp

    # A board's stamp also moves with the clock (presence): wake when it does.
    wake_by = None
    if region == "board":
        wake_by = (int(time.time() // PRESENCE_REFRESH_SECONDS) + 1) * PRESENCE_REFRESH_SECONDS
    changed = _watch.wait(workshop_id, still, settings.LIVE_WAIT_SECONDS, wake_by=wake_by)
    if changed is False and wake_by is not None and time.time() >= wake_by:
        return True
    return bool(changed)


def _versions_of(workshop_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Each workshop's (version, bar_version), in SQL written here (the ORM's compiling of the query was a third
    of a 304's time): the 304 path reads one, the watcher (live_wait.py) those people wait on."""
    placeholders = ", ".join(["%s"] * len(workshop_ids))
    with connection.cursor() as cursor:
        cursor.execute(f"{_VERSIONS_SQL} WHERE id IN ({placeholders})", workshop_ids)
        return {workshop_id: (version, bar_version) for workshop_id, version, bar_version in cursor.fetchall()}


_watch = VersionWatch(_versions_of, settings.LIVE_WAIT_SLOTS)
_WOKEN_RENDERS = threading.BoundedSemaphore(2)
WOKEN_TURN_SECONDS = 0.5


def _versions(workshop_id: int) -> tuple[int, int] | None:
    """The workshop's (version, bar_version): one primary-key read."""
    return _versions_of([workshop_id]).get(workshop_id)


_VERSIONS_SQL = f"SELECT id, version, bar_version FROM {Workshop._meta.db_table}"  # noqa: S608


def not_modified(request: HttpRequest, etag: str) -> HttpResponse | None:
    """304 when the person already has this version of the region, else None."""
    response = get_conditional_response(request, etag=etag)
    if response is not None:
        response["HX-Reswap"] = "none"
        _no_store_without_asking(response)
    return response


def with_etag(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    _no_store_without_asking(response)
    return response


def _no_store_without_asking(response: HttpResponse) -> None:
    patch_cache_control(response, private=True, no_cache=True)
