"""Who is in the room: every poll of a workshop's live regions notes that the person is here.

The note is ``Participant.last_seen_at``, written by services/presence.py at most once every
``PRESENCE_WRITE_SECONDS`` per person. Someone is **here** when a poll of theirs was seen in the last
``PRESENT_SECONDS``; someone who came and has not been seen since then **left**; the others have **not come yet**.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from .models import Participant, Workshop

PRESENT_SECONDS = 30


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
