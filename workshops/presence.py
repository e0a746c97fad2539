"""Who is in the room: every poll of a workshop's live regions notes that the person is here.

The note is ``Participant.last_seen_at``, written at most once every ``PRESENCE_WRITE_SECONDS`` per person:
each server process asks at most that often per person, and the UPDATE changes the row only when the note
is older than that (a poll every 0.3 s would otherwise be a write, and a commit, each), so the polls' cheap
path stays cheap. Someone is **here** when a poll of theirs was seen in the last ``PRESENT_SECONDS``; someone who came
and has not been seen since then **left**; the others have **not come yet**.
"""

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from .models import Participant, Workshop

PRESENCE_WRITE_SECONDS = 10
PRESENT_SECONDS = 30

_written: dict[tuple[int, int], float] = {}
_lock = threading.Lock()


def presence_note(workshop_id: int, user_id: int) -> None:
    """Note that the person polled the workshop now (a write at most every PRESENCE_WRITE_SECONDS)."""
    now = time.monotonic()
    key = (workshop_id, user_id)
    with _lock:
        if now - _written.get(key, -PRESENCE_WRITE_SECONDS) < PRESENCE_WRITE_SECONDS:
            return
        _written[key] = now
        if len(_written) > 10_000:  # a long-running process forgets old rooms
            _written.clear()
            _written[key] = now
    now = timezone.now()
    stale = Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - timedelta(seconds=PRESENCE_WRITE_SECONDS))
    Participant.objects.filter(stale, workshop_id=workshop_id, user_id=user_id).update(last_seen_at=now)


def presence_forget() -> None:
    """Forget when this process last wrote (tests)."""
    with _lock:
        _written.clear()


@dataclass(frozen=True)
class Presence:
    seat: Participant
    state: str  # "here", "left" or "not yet"

    @property
    def label(self) -> str:
        return {"here": "here", "left": "left", "not yet": "not come yet"}[self.state]


def presence_state(seat: Participant, now: datetime) -> str:
    if seat.joined_at is None or seat.last_seen_at is None:
        return "not yet"
    return "here" if now - seat.last_seen_at <= timedelta(seconds=PRESENT_SECONDS) else "left"


def workshop_presence(workshop: Workshop) -> list[Presence]:
    """Everyone invited, with whether they are here, left, or have not come yet."""
    now = timezone.now()
    seats = workshop.participants.select_related("user", "team")
    return [Presence(seat, presence_state(seat, now)) for seat in seats]
