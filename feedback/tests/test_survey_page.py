"""The public survey page, through Django's test client: no account, one answer per link, clear refusals."""

import datetime

import pytest
from django.core import signing
from django.utils import timezone

from customers.models import CustomerChange
from customers.tests.factories import CustomerFactory
from feedback.links import SALT, invitation_url
from feedback.models import Response, SurveyInvitation
from feedback.tests.factories import invitation_for, survey_path, token_made_days_ago

pytestmark = pytest.mark.django_db


def _answer(client, invitation, score=9, comment="Great support."):
    return client.post(survey_path(invitation), {"score": str(score), "comment": comment})


def test_it_shows_the_question_to_anyone_with_the_link(client):
    invitation = invitation_for(CustomerFactory(name="Acme Cloud"))

    response = client.get(survey_path(invitation))

    assert response.status_code == 200
    assert invitation.survey.question in response.text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in response.text
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_shows_nothing_about_other_customers(client):
    invitation = invitation_for(CustomerFactory(name="Acme Cloud", domain="acme.example", external_id="CRM-ACME"))
    other = invitation_for(
        CustomerFactory(name="Zephyr Robotics", domain="zephyr.example", external_id="CRM-ZEPHYR"),
        survey=invitation.survey,
    )
    _answer(client, other, score=2, comment="Zephyr's secret complaint")

    page = client.get(survey_path(invitation)).text

    assert "Acme Cloud" in page
    for secret in ("Zephyr", "zephyr.example", "CRM-ZEPHYR", "secret complaint", "CRM-ACME", "acme.example"):
        assert secret not in page


def test_it_records_an_answer_and_says_thank_you(client):
    invitation = invitation_for()

    response = _answer(client, invitation, score=9, comment="Great support.")

    assert response.status_code == 302
    stored = Response.objects.get()
    assert (stored.customer, stored.survey, stored.score, stored.comment, stored.source) == (
        invitation.customer,
        invitation.survey,
        9,
        "Great support.",
        "web",
    )
    page = client.get(response.url)
    assert "We have your answer: <strong>9</strong>" in page.text


def test_a_double_submit_stores_one_answer(client):
    invitation = invitation_for()

    first = _answer(client, invitation, score=8)
    second = _answer(client, invitation, score=8)

    assert first.status_code == second.status_code == 302
    assert Response.objects.count() == 1
    assert CustomerChange.objects.filter(customer=invitation.customer, source="system").count() == 1


def test_a_second_answer_within_the_window_changes_the_first(client):
    invitation = invitation_for()
    _answer(client, invitation, score=4, comment="Meh.")

    _answer(client, invitation, score=7, comment="Better after the call.")

    stored = Response.objects.get()
    assert (stored.score, stored.comment) == (7, "Better after the call.")
    assert invitation.customer.__class__.objects.get(pk=invitation.customer_id).nps == 7


def test_it_refuses_a_change_after_the_window_with_a_clear_message(client, settings):
    settings.FEEDBACK_EDIT_WINDOW_HOURS = 24
    invitation = invitation_for()
    _answer(client, invitation, score=4)
    Response.objects.update(answered_at=timezone.now() - datetime.timedelta(hours=25))

    response = _answer(client, invitation, score=10)

    assert response.status_code == 409
    assert "this change was not saved" in response.text
    assert Response.objects.get().score == 4


def test_an_expired_link_gets_a_clear_page_and_stores_nothing(client, settings):
    settings.FEEDBACK_LINK_MAX_AGE_DAYS = 30
    invitation = invitation_for()
    token = token_made_days_ago(invitation, 31)

    shown = client.get(f"/s/{token}/")
    posted = client.post(f"/s/{token}/", {"score": "10", "comment": "Late"})

    assert shown.status_code == posted.status_code == 410
    assert "This link has expired" in posted.text
    assert "Nothing was recorded" in posted.text
    assert invitation.survey.question not in posted.text
    assert not Response.objects.exists()


def test_the_limit_belongs_to_the_invitation_not_to_a_fresh_copy_of_its_link(client, settings):
    """Sent 55 days ago, its link downloaded again today from links.csv: still expired."""
    settings.FEEDBACK_LINK_MAX_AGE_DAYS = 30
    invitation = invitation_for()
    SurveyInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - datetime.timedelta(days=55))
    fresh_copy = invitation_url(invitation).rsplit("/s/", 1)[1].strip("/")

    assert client.get(f"/s/{fresh_copy}/").status_code == 410
    SurveyInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - datetime.timedelta(days=29))
    assert client.get(f"/s/{fresh_copy}/").status_code == 200


def test_a_link_within_its_lifetime_works(client, settings):
    settings.FEEDBACK_LINK_MAX_AGE_DAYS = 30
    invitation = invitation_for()

    response = client.post(f"/s/{token_made_days_ago(invitation, 29)}/", {"score": "10"})

    assert response.status_code == 302
    assert Response.objects.get().score == 10


def test_a_forged_link_gets_a_clear_page_and_stores_nothing(client):
    invitation = invitation_for()
    forged = signing.dumps(invitation.pk + 1000, salt=SALT).replace(":", ":x", 1)
    tampered = survey_path(invitation)[:-3] + ("A" if survey_path(invitation)[-3] != "A" else "B") + "/"

    for path in (f"/s/{forged}/", tampered, "/s/not-a-token/"):
        response = client.post(path, {"score": "10"})
        assert response.status_code == 404
        assert "This link does not work" in response.text
    assert not Response.objects.exists()


def test_a_link_signed_for_something_else_does_not_work(client):
    invitation = invitation_for()
    other_salt = signing.dumps(invitation.pk, salt="another.purpose")

    response = client.post(f"/s/{other_salt}/", {"score": "10"})

    assert response.status_code == 404
    assert not Response.objects.exists()


def test_it_asks_for_a_score(client):
    invitation = invitation_for()

    response = client.post(survey_path(invitation), {"comment": "No score"})

    assert response.status_code == 400
    assert "Choose a score from 0 to 10." in response.text
    assert not Response.objects.exists()


@pytest.mark.parametrize("score", ["11", "-1", "ten"])
def test_it_refuses_a_score_off_the_scale(client, score):
    invitation = invitation_for()

    response = client.post(survey_path(invitation), {"score": score})

    assert response.status_code == 400
    assert not Response.objects.exists()


def test_it_limits_requests_per_link(client, settings):
    settings.FEEDBACK_RATE_LIMIT_PER_LINK = 3
    invitation = invitation_for()
    path = survey_path(invitation)  # once: a link made in another second is signed differently, a link of its own

    statuses = [client.get(path).status_code for _ in range(4)]
    refused = client.post(path, {"score": "9", "comment": "Great support."})

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text
    assert refused["Retry-After"] == str(settings.FEEDBACK_RATE_LIMIT_WINDOW_SECONDS)
    assert not Response.objects.exists()


def test_it_limits_requests_per_address_across_links(client, settings):
    settings.FEEDBACK_RATE_LIMIT_PER_IP = 2
    paths = [survey_path(invitation_for()) for _ in range(3)]

    statuses = [client.get(path, REMOTE_ADDR="203.0.113.9").status_code for path in paths]
    other_address = client.get(paths[2], REMOTE_ADDR="198.51.100.7")

    assert statuses == [200, 200, 429]
    assert other_address.status_code == 200


def test_a_signed_in_person_sees_the_same_public_page(client, make_person):
    client.force_login(make_person())
    invitation = invitation_for()

    assert client.get(survey_path(invitation)).status_code == 200
