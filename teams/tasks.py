from celery import shared_task
from django.contrib.auth.tokens import default_token_generator
from django.core import management
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ops.jobs import JobTask


@shared_task(bind=True, base=JobTask, retry_on=(OSError,), max_retries=5, default_retry_delay=30)
def person_send_invitation(self, person_id: int, base_url: str) -> None:
    """Email a newly invited person a link to choose their password."""
    from .models import User

    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None or person.has_usable_password() or not person.email:
        return
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    context = {"person": person, "link": base_url.rstrip("/") + path}
    send_mail(
        subject="You are invited to ICP Workshop",
        message=render_to_string("teams/email_invitation.txt", context),
        from_email=None,
        recipient_list=[person.email],
    )


@shared_task(base=JobTask)
def sessions_clear_expired() -> None:
    management.call_command("clearsessions")
