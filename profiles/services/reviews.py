"""The review reminder: admins and facilitators are emailed once when a profile's review date is reached.

Once per review date: a conditional UPDATE of ``review_reminded_on`` claims the
reminder, and the email goes out in the same transaction, so

- a second run (or a run in parallel) claims nothing and sends nothing;
- a mail server that refuses rolls the claim back, and the next run sends it;
- moving ``review_on`` (services.profile_review_set, or a new agreement) arms it again.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import Profile
from ..selectors import review_recipients


@transaction.atomic
def profile_review_remind(*, profile_id: int, today: datetime.date) -> bool:
    """Email the reminder for this profile's review date; False if it is not due or was sent already."""
    not_reminded = Q(review_reminded_on__isnull=True) | Q(review_reminded_on__lt=F("review_on"))
    claimed = Profile.objects.filter(not_reminded, pk=profile_id, review_on__lte=today).update(review_reminded_on=today)
    if not claimed:
        return False
    recipients = list(review_recipients().values_list("email", flat=True))
    if recipients:
        profile = Profile.objects.get(pk=profile_id)
        url = settings.SITE_URL.rstrip("/") + reverse("profiles:detail", kwargs={"profile_id": profile.pk})
        body = render_to_string("profiles/email/review_due.txt", {"profile": profile, "url": url})
        EmailMessage(subject=f"Time to review the profile “{profile.name}”", body=body, bcc=recipients).send()
    return True
