"""Personal survey links: a token signed with the secret key that names one invitation and nothing else.

The token is ``django.core.signing.dumps`` of the invitation's id with its own
salt, so it holds the time it was made: a token older than
FEEDBACK_LINK_MAX_AGE_DAYS is expired, one changed by a single character is forged.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .models import SurveyInvitation

SALT = "feedback.survey-invitation"


class LinkExpired(Exception):
    """The link was genuine but is older than the links' lifetime."""


class LinkInvalid(Exception):
    """The link was not made by us (mistyped, cut short or forged), or its invitation is gone."""


def link_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.FEEDBACK_LINK_MAX_AGE_DAYS)


def invitation_token(invitation: SurveyInvitation) -> str:
    return signing.dumps(invitation.pk, salt=SALT, compress=False)


def invitation_url(invitation: SurveyInvitation, *, site_url: str = "") -> str:
    """The full link: ``site_url`` (SITE_URL unless given) and the page's path."""
    return (site_url or settings.SITE_URL) + reverse("survey:answer", kwargs={"token": invitation_token(invitation)})


def invitation_expires_at(invitation: SurveyInvitation) -> datetime.datetime:
    """A link works for FEEDBACK_LINK_MAX_AGE_DAYS from when the invitation was sent (or made, if it never was):
    the limit belongs to the invitation, not to each copy of its link."""
    return (invitation.sent_at or invitation.created_at) + link_max_age()


def invitation_from_token(token: str) -> SurveyInvitation:
    """The invitation a token names; raises LinkExpired or LinkInvalid."""
    try:
        invitation_id = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise LinkInvalid from None
    if not isinstance(invitation_id, int):
        raise LinkInvalid
    invitation = SurveyInvitation.objects.select_related("survey", "customer").filter(pk=invitation_id).first()
    if invitation is None:
        raise LinkInvalid
    if timezone.now() > invitation_expires_at(invitation):
        raise LinkExpired
    return invitation
