"""The daily digest: each sales rep's newly qualified leads, by email, once per window.

A digest covers the leads whose latest qualification falls in (start, through]:

- ``through`` is the day's digest time (LEAD_DIGEST_HOUR, UTC) at or before now,
  so every run on one day computes the same window, whenever it starts;
- ``start`` is the ``through`` of the rep's previous digest (24 hours earlier for a
  first one), so the windows follow each other with no gap and no overlap, even
  after days without a run.

The leads are the rep's own (``lead_list`` with owner "mine", across every rubric
with a published version, in each tab of its lead list: new business and expansion,
churned accounts left out as the list hides them), still qualified and not
disqualified; the email also counts the new unowned leads the rep could claim. Only
the rep's own leads make an email worth sending: unowned ones are the same for every
rep.

What a digest lists is read here; it is sent and recorded by services/digest.py.

Once per window: the LeadDigest row (unique per rep and ``through``) is the claim.
It is inserted, then the email sent, in one transaction:

- a second run finds the row and stops; a run in parallel blocks on the insert
  until the first commits, then fails it and sends nothing;
- the mail server refusing or unreachable rolls the row back, so a retry sends;
- the one gap left, the mail server accepting and the commit then failing, sends
  that digest again on the retry: rather twice than never.

With nothing new of the rep's own the row is recorded anyway (``lead_count`` 0,
no email): the window moves on, so a lead claimed or reassigned days after it
qualified does not come back later as new.
"""

import datetime
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from rubrics.models import Rubric
from teams.models import Role, User

from .exports import lead_grade
from .models import LeadDigest
from .selectors import MINE, SEGMENTS, UNOWNED, LeadFilters, lead_list, lead_rubrics, lead_segments, rubric_scale

FIRST_WINDOW = datetime.timedelta(hours=24)
# Leads listed per rubric (and tab) in one email; the rest are a link to the list away.
LISTED_PER_RUBRIC = 25


@dataclass(frozen=True)
class DigestLead:
    name: str
    score: int
    grade: str | None
    url: str


@dataclass(frozen=True)
class DigestSection:
    """One tab of a rubric's lead list in a digest: the rep's new leads (best first, the first few) and the unowned
    count. ``segment_label`` names the tab where the rubric has two (new business, expansion)."""

    rubric: Rubric
    segment_label: str
    leads: list[DigestLead]
    lead_count: int
    unowned_count: int
    list_url: str
    unowned_url: str

    @property
    def more_count(self) -> int:
        return self.lead_count - len(self.leads)


def digest_through(now: datetime.datetime) -> datetime.datetime:
    """The end of the digest window of ``now``: today's digest time, or yesterday's before it."""
    cut = now.astimezone(datetime.UTC).replace(hour=settings.LEAD_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return cut if cut <= now else cut - datetime.timedelta(days=1)


def digest_recipients() -> QuerySet[User]:
    return User.objects.filter(role=Role.SALES_REP, is_active=True).exclude(email="").order_by("pk")


def digest_start(*, user: User, through: datetime.datetime) -> datetime.datetime:
    previous = LeadDigest.objects.filter(user=user, through__lt=through).values_list("through", flat=True).first()
    return previous or through - FIRST_WINDOW


def _link(path: str, **query) -> str:
    return settings.SITE_URL + path + (f"?{urlencode(query)}" if query else "")


def digest_sections(*, user: User, since: datetime.datetime, through: datetime.datetime) -> list[DigestSection]:
    """Per rubric and tab of its lead list with new leads for the rep: their own that (re)qualified in
    (since, through], and the unowned ones they could claim."""
    sections = []
    for rubric in lead_rubrics():
        scale = rubric_scale(rubric)
        segments = lead_segments(rubric)
        for segment in segments:
            own = LeadFilters(owner=MINE, qualified_since=since, segment=segment)
            section = _section(user, rubric, scale, own, through, SEGMENTS[segment] if len(segments) > 1 else "")
            if section:
                sections.append(section)
    return sections


def _section(user, rubric, scale, own: LeadFilters, through, segment_label: str) -> DigestSection | None:
    mine = lead_list(user=user, rubric=rubric, filters=own, scale=scale).filter(qualified_at__lte=through)
    unowned = lead_list(user=user, rubric=rubric, filters=replace(own, owner=UNOWNED), scale=scale)
    lead_count, unowned_count = mine.count(), unowned.filter(qualified_at__lte=through).count()
    if not lead_count and not unowned_count:
        return None
    listed = [
        DigestLead(
            name=lead.customer.name,
            score=lead.total,
            grade=lead_grade(scale, lead.total),
            url=_link(reverse("leads:detail", args=[rubric.pk, lead.customer_id])),
        )
        for lead in mine[:LISTED_PER_RUBRIC]
    ]
    return DigestSection(
        rubric=rubric,
        segment_label=segment_label,
        leads=listed,
        lead_count=lead_count,
        unowned_count=unowned_count,
        list_url=_link(reverse("leads:list"), rubric=rubric.pk, segment=own.segment),
        unowned_url=_link(reverse("leads:list"), rubric=rubric.pk, segment=own.segment, owner=UNOWNED),
    )
