"""The invitation email is sent by a real Celery worker, through Redis."""

import threading

import pytest
from celery.signals import task_prerun
from django.core import mail

from icpsite.celery import app as celery_app
from teams.models import Role
from teams.services import person_invite
from teams.tests.factories import TeamFactory
from tests.support import wait_for

pytestmark = [pytest.mark.worker]


def test_it_sends_the_invitation_through_the_broker_to_a_worker(real_worker):
    ran_in = []

    def record_thread(sender=None, **kwargs):
        if sender.name == "teams.tasks.person_send_invitation":
            ran_in.append(threading.current_thread())

    task_prerun.connect(record_thread, weak=False)
    try:
        person_invite(
            username="noa",
            email="noa@example.com",
            first_name="Noa",
            last_name="Rep",
            team=TeamFactory(),
            role=Role.SALES_REP,
            base_url="https://icp.example.com/",
        )
        wait_for(lambda: len(mail.outbox) == 1, what="the invitation email")
    finally:
        task_prerun.disconnect(record_thread)

    assert celery_app.conf.task_always_eager is False
    assert ran_in, "the task never ran"
    assert ran_in[0] is not threading.main_thread()
    assert mail.outbox[0].to == ["noa@example.com"]
    assert "https://icp.example.com/accounts/reset/" in mail.outbox[0].body


def test_it_skips_an_invitation_for_someone_who_already_chose_a_password(real_worker, make_person):
    from teams.tasks import person_send_invitation

    person = make_person(email="done@example.com")

    person_send_invitation.delay(person.pk, "https://icp.example.com/").get(timeout=15)

    assert mail.outbox == []
