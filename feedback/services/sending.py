"""Sending a survey: one invitation per chosen customer, then an email with the personal link to each.

Inviting is set-based and safe to repeat: a customer already invited to the
survey is skipped (the unique invitation), so sending again to a wider set
only reaches the new customers. The emails go out in a task after commit; each
invitation is claimed (``sent_at`` set) in the same transaction as its email,
so a task run twice sends each email once, and a mail server that fails leaves
the rest for the retry. Sending again also emails the invitations whose email
never went out (the job queue was down, the mail server gave up).
"""

from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from customers.models import Customer
from ops.jobs import job_send
from teams.models import User

from ..links import invitation_url, link_max_age
from ..models import Survey, SurveyInvitation

INVITE_BATCH = 2_000
EMAILS_WAITING = (
    "The invitation emails wait: once it is back, send the survey again to the same customers "
    "(nobody gets a second email)."
)
# Where a customer's survey email address is kept: an extra attribute (an import's "contact_email" column).
EMAIL_KEYS = ("contact_email", "email")


@dataclass(frozen=True)
class SendResult:
    invited: int
    with_email: int


def contact_email(extra: dict | None) -> str:
    """The customer's survey address from its extra attributes, or "" when it has no valid one."""
    for key in EMAIL_KEYS:
        value = str((extra or {}).get(key) or "").strip()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                continue
            return value
    return ""


def survey_send(*, survey: Survey, customers: QuerySet[Customer], user: User | None) -> SendResult:
    """Invite ``customers`` (those not invited yet) to the survey; the emails not sent yet go out once this commits."""
    invited = with_email = 0
    with transaction.atomic():
        Survey.objects.select_for_update().get(pk=survey.pk)
        already = set(SurveyInvitation.objects.filter(survey=survey).values_list("customer_id", flat=True))
        rows = customers.order_by("pk").values_list("pk", "extra").iterator(chunk_size=INVITE_BATCH)
        while batch := list(islice(rows, INVITE_BATCH)):
            invitations = [
                SurveyInvitation(survey=survey, customer_id=customer_id, email=contact_email(extra))
                for customer_id, extra in batch
                if customer_id not in already
            ]
            SurveyInvitation.objects.bulk_create(invitations, ignore_conflicts=True)
            invited += len(invitations)
            with_email += sum(1 for invitation in invitations if invitation.email)
        if with_email or _emails_unsent(survey).exists():
            job_send("feedback.tasks.survey_invitations_email", survey.pk, waiting=EMAILS_WAITING)
    return SendResult(invited=invited, with_email=with_email)


def _emails_unsent(survey: Survey) -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(survey=survey, sent_at__isnull=True).exclude(email="")


def invitations_email(*, survey: Survey) -> int:
    """Email every invitation of the survey that has an address and was not emailed yet; return how many."""
    sent = 0
    pending = _emails_unsent(survey)
    with mail.get_connection() as connection:
        for invitation in pending.select_related("survey", "customer").order_by("pk").iterator(chunk_size=500):
            with transaction.atomic():
                claimed = SurveyInvitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(
                    sent_at=timezone.now()
                )
                if claimed:
                    _invitation_email(invitation, connection).send()
                    sent += claimed
    return sent


def _invitation_email(invitation: SurveyInvitation, connection) -> mail.EmailMultiAlternatives:
    context = {
        "survey": invitation.survey,
        "customer_name": invitation.customer.name,
        "url": invitation_url(invitation),
        "valid_days": link_max_age().days,
    }
    message = mail.EmailMultiAlternatives(
        subject=invitation.survey.question,
        body=render_to_string("feedback/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("feedback/email/invitation.html", context), "text/html")
    return message


def invitation_links(*, survey: Survey, site_url: str = ""):
    """(external id, customer, email, link, answered) for every invitation of the survey, for a mail merge."""
    invitations = SurveyInvitation.objects.filter(survey=survey).select_related("customer", "response").order_by("pk")
    for invitation in invitations.iterator(chunk_size=1000):
        answered = hasattr(invitation, "response")
        yield (
            invitation.customer.external_id,
            invitation.customer.name,
            invitation.email,
            invitation_url(invitation, site_url=site_url),
            answered,
        )
