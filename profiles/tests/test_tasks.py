import datetime

import pytest
from django.core import mail
from django.utils import timezone

from profiles.models import Profile
from profiles.services.profiles import profile_review_set
from profiles.tasks import profile_reviews_remind
from profiles.tests.factories import make_profile
from teams.models import Role

TODAY = timezone.localdate()


@pytest.fixture
def people(make_person):
    return {role: make_person(role) for role in Role.values}


def test_it_emails_admins_and_facilitators_when_the_review_is_due(people, settings):
    settings.SITE_URL = "https://icp.example"
    profile = make_profile(name="Mid-market", review_on=TODAY)

    profile_reviews_remind()

    [message] = mail.outbox
    assert sorted(message.bcc) == sorted([people[Role.ADMIN].email, people[Role.FACILITATOR].email])
    assert "Mid-market" in message.subject
    assert f"https://icp.example/profiles/{profile.pk}/" in message.body
    assert Profile.objects.get(pk=profile.pk).review_reminded_on == TODAY


def test_it_reminds_once(people):
    make_profile(review_on=TODAY - datetime.timedelta(days=2))

    profile_reviews_remind()
    profile_reviews_remind()

    assert len(mail.outbox) == 1


def test_it_does_not_remind_before_the_date(people):
    make_profile(review_on=TODAY + datetime.timedelta(days=1))
    make_profile(review_on=None)

    profile_reviews_remind()

    assert mail.outbox == []


def test_it_reminds_again_once_the_moved_date_is_reached(people):
    profile = make_profile(review_on=TODAY)
    profile_reviews_remind()

    profile_review_set(profile=profile, review_on=TODAY)  # unchanged: no new reminder
    profile_reviews_remind()
    profile_review_set(profile=profile, review_on=TODAY + datetime.timedelta(days=10))
    profile_reviews_remind()
    Profile.objects.filter(pk=profile.pk).update(review_on=TODAY)  # as if ten days passed
    profile_reviews_remind()

    assert len(mail.outbox) == 2


def test_it_rolls_the_claim_back_when_the_mail_server_refuses(people, monkeypatch):
    profile = make_profile(review_on=TODAY)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    profile_reviews_remind()

    assert Profile.objects.get(pk=profile.pk).review_reminded_on is None
