"""The workshop's background jobs: thin entry points that load by id and do one thing."""

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from ops.jobs import JobTask


@shared_task(bind=True, base=JobTask, retry_on=(OSError,), max_retries=5, default_retry_delay=30)
def workshop_invitations_email(self, workshop_id: int, user_ids: list[int], base_url: str) -> None:
    """Email each person newly invited the workshop's link: from it they propose in the steps not opened yet."""
    from .models import Participant

    seats = Participant.objects.filter(workshop_id=workshop_id, user_id__in=user_ids, user__is_active=True)
    link = base_url.rstrip("/") + reverse("workshops:detail", kwargs={"workshop_id": workshop_id})
    for seat in seats.select_related("user", "workshop__facilitator", "workshop__profile"):
        if not seat.user.email:
            continue
        context = {"person": seat.user, "workshop": seat.workshop, "link": link}
        send_mail(
            subject=f"You are invited to the workshop “{seat.workshop.title}”",
            message=render_to_string("workshops/email_invitation.txt", context),
            from_email=None,
            recipient_list=[seat.user.email],
        )
