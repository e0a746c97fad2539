"""Live fragments: htmx polls each region of a workshop page every second, as a conditional request.

The region's element carries the ETag it was rendered from (``hx-headers`` sends it back as
``If-None-Match``). The ETag is the workshop's ``version`` (bumped by every write, see services.py) with
the region, step and person; the step bar's is its ``bar_version``, which proposals and votes leave
alone. A poll that finds the same version answers ``304 Not Modified`` after one indexed query and no
rendering; htmx is told not to swap it (``HX-Reswap: none``, and the page's htmx-config). A changed
version renders the region again (its cards drawn once per version, see cards.py), so a late joiner or a
reload simply gets the current state. The forms people type in are never inside a polled region.
"""

from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag

from teams.models import Role

from .access import FACILITATING_ROLES
from .selectors import workshop_live_state

POLL_TRIGGER = "every 1s, workshop-changed from:body"


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
    allowed = facilitates if facilitator_only else (facilitates or invited or user.role == Role.ADMIN)
    if not allowed:
        raise PermissionDenied("This workshop is for the people invited to it.")
    if region == "bar":  # it links to the board or the step pages, whichever the person may use
        return Live(quote_etag(f"bar-{step_id}-{bar_version}-{user.pk}-{int(facilitates)}"), version, invited)
    return Live(quote_etag(f"{region}-{step_id}-{version}-{user.pk}"), version, invited)


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
