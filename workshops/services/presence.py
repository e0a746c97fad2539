"""Who is in the room, the write: every poll of a workshop's live regions notes that the person is here.

The note is ``Participant.last_seen_at``, written at most once every ``PRESENCE_WRITE_SECONDS`` per person:
each server process asks at most that often per person, and the UPDATE changes the row only when the note
is older than that (a poll every 0.3 s would otherwise be a write, and a commit, each), so the polls' cheap
path stays cheap. Who is here, left or not come yet is read in workshops/presence.py.
"""

import threading
import time
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from ..models import Participant

PRESENCE_WRITE_SECONDS = 10


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
