"""The weekly at-risk digest, sent and recorded once per person and week.

Who is at risk, and what the digest lists, is read in feedback/risk.py.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from teams.models import User

from ..models import RiskDigest
from ..risk import DigestSection, digest_sections

logger = logging.getLogger(__name__)


def _email(*, user: User, sections: list[DigestSection], count: int, week: datetime.date) -> EmailMultiAlternatives:
    context = {"person": user, "sections": sections, "count": count, "week": week, "site_url": settings.SITE_URL}
    subject = f"{count} ICP account{'' if count == 1 else 's'} at risk this week"
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string("feedback/email/risk_digest.txt", context), to=[user.email]
    )
    message.attach_alternative(render_to_string("feedback/email/risk_digest.html", context), "text/html")
    return message


def risk_digest_send(*, user: User, week: datetime.date) -> RiskDigest | None:
    """Email the person this week's at-risk accounts, once; None if a run recorded this week already.

    1. stop if this week's digest is recorded;
    2. collect the at-risk accounts of every rubric;
    3. record the digest and send the email in one transaction: a failing mail
       server rolls the record back (the retry sends), a parallel run fails the insert
       and sends nothing. A week with nothing at risk is recorded without an email.
    """
    if RiskDigest.objects.filter(user=user, week=week).exists():
        return None
    sections = digest_sections(user=user)
    count = sum(section.count for section in sections)
    try:
        with transaction.atomic():
            digest = RiskDigest.objects.create(user=user, week=week, account_count=count, sent_at=timezone.now())
            if count:
                _email(user=user, sections=sections, count=count, week=week).send()
    except IntegrityError:
        logger.info("at-risk digest for %s, week of %s: another run recorded it first", user.pk, week)
        return None
    return digest
