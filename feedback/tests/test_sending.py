"""Sending a survey: an invitation per chosen customer, and an email with the personal link, once."""

import csv
import io
import re

import pytest
from django.core import mail

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from feedback.links import invitation_from_token
from feedback.models import Survey, SurveyInvitation
from feedback.services.sending import contact_email, invitations_email, survey_send
from teams.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return Survey.objects.create(name="NPS Q3")


@pytest.mark.parametrize(
    ("extra", "email"),
    [
        ({"contact_email": "ana@acme.example"}, "ana@acme.example"),
        ({"email": " bo@beta.example "}, "bo@beta.example"),
        ({"contact_email": "not an address", "email": "cy@gamma.example"}, "cy@gamma.example"),
        ({}, ""),
        (None, ""),
    ],
)
def test_it_finds_the_survey_address_in_the_extra_attributes(extra, email):
    assert contact_email(extra) == email


def test_an_admin_sends_a_survey_to_the_chosen_customers_once(client_as, survey, django_capture_on_commit_callbacks):
    client = client_as(Role.ADMIN)
    acme = CustomerFactory(name="Acme", extra={"contact_email": "ana@acme.example"}, lifecycle_stage="customer")
    CustomerFactory(name="No address", lifecycle_stage="customer")
    CustomerFactory(name="A prospect", extra={"contact_email": "p@prospect.example"}, lifecycle_stage="prospect")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/feedback/surveys/{survey.pk}/send/", {"stage": "customer"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/feedback/surveys/{survey.pk}/send/", {"stage": "customer"})

    assert response.status_code == 302
    assert set(SurveyInvitation.objects.values_list("customer__name", flat=True)) == {"Acme", "No address"}
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["ana@acme.example"]
    assert email.subject == survey.question
    link = re.search(r"https?://\S+/s/(\S+)/", email.body)
    assert invitation_from_token(link.group(1)).customer == acme
    assert "Acme" in email.body


def test_a_second_run_of_the_email_task_sends_nothing(survey):
    SurveyInvitation.objects.create(survey=survey, customer=CustomerFactory(), email="ana@acme.example")

    assert invitations_email(survey=survey) == 1
    assert invitations_email(survey=survey) == 0
    assert len(mail.outbox) == 1


def test_a_mail_server_failure_leaves_the_invitation_to_send_again(survey, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    invitation = SurveyInvitation.objects.create(survey=survey, customer=CustomerFactory(), email="ana@acme.example")

    with pytest.raises(ConnectionRefusedError):
        invitations_email(survey=survey)

    invitation.refresh_from_db()
    assert invitation.sent_at is None


def _send_page(client, survey, data=None):
    url = f"/feedback/surveys/{survey.pk}/send/"
    response = client.post(url, data) if data is not None else client.get(url)
    return response, " ".join(response.content.decode().split())


def test_the_send_page_says_in_plain_words_how_many_it_will_invite_before_inviting(client_as, survey):
    client = client_as(Role.ADMIN)
    for name in ("Acme", "Beta", "Gamma"):
        CustomerFactory(name=name, lifecycle_stage="customer")
    CustomerFactory(name="A prospect", lifecycle_stage="prospect")
    SurveyInvitation.objects.create(survey=survey, customer=Customer.objects.get(name="Gamma"))

    response, text = _send_page(client, survey)

    assert response.status_code == 200
    assert "2 customers will be invited." in text
    assert "Invite 2 customers" in text
    assert text.index("2 customers will be invited.") < text.index("Invite 2 customers")
    assert "extra attribute" not in text
    assert "<code>" not in text
    response, text = _send_page(client, survey, {"stage": "", "recount": "1", "shown_count": "2"})
    assert "3 customers will be invited." in text  # the prospect too, Gamma still left out
    assert SurveyInvitation.objects.count() == 1

    response = client.post(f"/feedback/surveys/{survey.pk}/send/", {"stage": "customer", "shown_count": "2"})

    assert response.status_code == 302
    invited = SurveyInvitation.objects.filter(survey=survey).values_list("customer__name", flat=True)
    assert sorted(invited) == ["Acme", "Beta", "Gamma"]


def test_an_invite_whose_count_moved_since_the_page_showed_it_is_shown_again_not_sent(client_as, survey):
    client = client_as(Role.ADMIN)
    CustomerFactory(name="Acme", lifecycle_stage="customer")
    _send_page(client, survey)
    CustomerFactory(name="Beta", lifecycle_stage="customer")  # imported meanwhile

    response, text = _send_page(client, survey, {"stage": "customer", "shown_count": "1"})

    assert response.status_code == 200
    assert "Nobody was invited yet" in text
    assert "2 customers will be invited." in text
    assert not SurveyInvitation.objects.exists()


def test_the_send_page_says_when_nobody_is_left_to_invite(client_as, survey):
    SurveyInvitation.objects.create(survey=survey, customer=CustomerFactory(lifecycle_stage="customer"))

    response, text = _send_page(client_as(Role.ADMIN), survey)

    assert "Nobody will be invited" in text
    assert "Invite " not in text.split("Nobody will be invited")[1]


def test_sending_again_emails_the_invitations_whose_email_never_went_out(survey, django_capture_on_commit_callbacks):
    customer = CustomerFactory(extra={"contact_email": "ana@acme.example"})
    SurveyInvitation.objects.create(survey=survey, customer=customer, email="ana@acme.example")  # its email was lost

    with django_capture_on_commit_callbacks(execute=True):
        result = survey_send(survey=survey, customers=Customer.objects.all(), user=None)

    assert (result.invited, result.with_email) == (0, 0)
    assert [email.to for email in mail.outbox] == [["ana@acme.example"]]


def test_the_links_file_has_every_invitations_link(client_as, survey):
    client = client_as(Role.ADMIN)
    for name in ("Acme", "Beta"):
        SurveyInvitation.objects.create(survey=survey, customer=CustomerFactory(name=name))

    response = client.get(f"/feedback/surveys/{survey.pk}/links.csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["external_id", "customer", "email", "link", "answered"]
    assert [row[1] for row in rows[1:]] == ["Acme", "Beta"]
    token = rows[1][3].rstrip("/").rsplit("/", 1)[1]
    assert invitation_from_token(token).customer.name == "Acme"


@pytest.mark.parametrize(
    ("from_request", "starts"), [(True, "http://icp.local:8101/s/"), (False, "https://icp.example/s/")]
)
def test_the_links_file_uses_the_request_s_host_when_no_site_url_is_set(
    client_as, survey, settings, from_request, starts
):
    """`make run PORT=8101` with no SITE_URL: the links point where the person is, not at port 8000."""
    settings.SITE_URL_FROM_REQUEST = from_request
    settings.SITE_URL = "https://icp.example"
    settings.ALLOWED_HOSTS = ["icp.local"]
    SurveyInvitation.objects.create(survey=survey, customer=CustomerFactory(name="Acme"))

    response = client_as(Role.ADMIN).get(f"/feedback/surveys/{survey.pk}/links.csv", HTTP_HOST="icp.local:8101")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][3].startswith(starts)
