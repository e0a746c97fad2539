"""A rep's lead digest, sent and recorded once per window (see leads/digest.py, which reads what it lists)."""

import datetime
import logging

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from teams.models import User

from ..digest import DigestSection, digest_sections, digest_start
from ..models import LeadDigest

logger = logging.getLogger(__name__)


def _email(*, user: User, sections: list[DigestSection], lead_count: int) -> EmailMultiAlternatives:
    context = {"person": user, "sections": sections, "lead_count": lead_count}
    subject = f"{lead_count} new lead{'' if lead_count == 1 else 's'} for you"
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string("leads/email/digest.txt", context), to=[user.email]
    )
    message.attach_alternative(render_to_string("leads/email/digest.html", context), "text/html")
    return message


def lead_digest_send(*, user: User, through: datetime.datetime) -> LeadDigest | None:
    """Email the rep their leads newly qualified up to ``through``, once; None if another run did it already.

    1. stop if a digest through this moment (or a later one) is recorded;
    2. collect the window's leads;
    3. record the digest and send the email in one transaction (see the module's docstring).
    """
    if LeadDigest.objects.filter(user=user, through__gte=through).exists():
        return None
    sections = digest_sections(user=user, since=digest_start(user=user, through=through), through=through)
    lead_count = sum(section.lead_count for section in sections)
    try:
        with transaction.atomic():
            digest = LeadDigest.objects.create(
                user=user, through=through, lead_count=lead_count, sent_at=timezone.now()
            )
            if lead_count:
                _email(user=user, sections=sections, lead_count=lead_count).send()
    except IntegrityError:
        logger.info("lead digest for %s through %s: another run recorded it first", user.pk, through)
        return None
    return digest
