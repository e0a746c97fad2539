"""The staff pages: surveys, answers, referrals and advocacy; who may use them beyond the role table."""

import datetime

import pytest

from customers.tests.factories import CustomerFactory
from feedback.models import Advocacy, FeedbackChange, Referral, Response, Survey
from feedback.services.referrals import referral_create
from teams.models import Role, Team
from teams.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/feedback/", "/feedback/responses/", "/feedback/referrals/", "/feedback/advocacy/"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_the_customer_success_team_reads_the_feedback_pages(client_as, path):
    assert client_as(Role.MEMBER, team=TeamFactory(slug=Team.CUSTOMER_SUCCESS)).get(path).status_code == 200


@pytest.mark.parametrize("path", STAFF_PAGES)
@pytest.mark.parametrize("team", [Team.MARKETING, Team.SALES])
def test_members_of_other_teams_get_403(client_as, path, team):
    assert client_as(Role.MEMBER, team=TeamFactory(slug=team)).get(path).status_code == 403


def test_a_facilitator_of_the_customer_success_team_may_record_advocacy(client_as):
    client = client_as(Role.FACILITATOR, team=TeamFactory(slug=Team.CUSTOMER_SUCCESS))
    customer = CustomerFactory(external_id="CRM-7")

    response = client.post(
        "/feedback/advocacy/add/", {"customer": "CRM-7", "kind": "public_review", "happened_on": "2026-04-01"}
    )

    assert response.status_code == 302
    assert Advocacy.objects.get().customer == customer


def test_a_member_of_another_team_may_not_record_a_referral(client_as):
    client = client_as(Role.MEMBER, team=TeamFactory(slug=Team.MARKETING))
    CustomerFactory(external_id="CRM-7")

    response = client.post("/feedback/referrals/add/", {"referrer": "CRM-7", "referred_name": "Newco"})

    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_an_admin_creates_a_survey_and_is_taken_to_send_it(client_as):
    client = client_as(Role.ADMIN)

    response = client.post("/feedback/surveys/new/", {"name": "  NPS   Q4 ", "question": ""})

    survey = Survey.objects.get()
    assert response.url == f"/feedback/surveys/{survey.pk}/send/"
    assert (survey.name, survey.question, survey.created_by) == ("NPS Q4", Survey.DEFAULT_QUESTION, client.person)


def test_a_survey_name_is_used_once(client_as):
    client = client_as(Role.ADMIN)
    Survey.objects.create(name="NPS Q4")

    response = client.post("/feedback/surveys/new/", {"name": "NPS Q4"})

    assert response.status_code == 400
    assert Survey.objects.count() == 1


def test_a_customer_success_member_records_a_referral_by_domain(client_as):
    client = client_as(Role.MEMBER)
    referrer = CustomerFactory(domain="acme.example", referrals_made=None)

    response = client.post(
        "/feedback/referrals/add/",
        {
            "referrer": "https://www.acme.example/about",
            "referred_name": "Newco",
            "referred_domain": "https://newco.example",
            "referred_on": "2026-05-02",
            "status": "open",
        },
    )

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.referrer, referral.referred_name, referral.referred_domain) == (referrer, "Newco", "newco.example")
    referrer.refresh_from_db()
    assert referrer.referrals_made == 1
    page = client.get("/feedback/referrals/")
    assert "Newco" in page.text
    assert client.person.display_name in page.text, "who recorded it is shown"


def test_an_unknown_customer_is_a_clear_form_error(client_as):
    client = client_as(Role.MEMBER)

    response = client.post(
        "/feedback/referrals/add/", {"referrer": "CRM-404", "referred_name": "Newco", "referred_on": "2026-05-02"}
    )

    assert response.status_code == 400
    assert "No customer has the external id or domain “CRM-404”." in response.text
    assert not Referral.objects.exists()


def test_a_referral_without_whom_is_refused_with_the_reason(client_as):
    client = client_as(Role.MEMBER)
    CustomerFactory(external_id="CRM-7")

    response = client.post(
        "/feedback/referrals/add/", {"referrer": "CRM-7", "referred_on": "2026-05-02", "status": "open"}
    )

    assert response.status_code == 400
    assert "Say whom the customer referred" in response.text


def test_closing_a_referral_from_the_list(client_as):
    client = client_as(Role.MEMBER)
    referral = referral_create(
        referrer=CustomerFactory(), referred_name="Newco", referred_on=datetime.date(2026, 5, 2), user=client.person
    )

    response = client.post(f"/feedback/referrals/{referral.pk}/status/", {"status": "won"})

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "won"
    assert FeedbackChange.objects.filter(action="updated", changed_by=client.person).exists()


def test_the_answers_page_filters_by_category(client_as):
    client = client_as(Role.MEMBER)
    for score, name in ((10, "Promoter Inc"), (7, "Passive Inc"), (2, "Detractor Inc")):
        Response.objects.create(
            customer=CustomerFactory(name=name), score=score, source="import", answered_at="2026-05-01T00:00Z"
        )

    detractors = client.get("/feedback/responses/", {"category": "detractor"})

    assert "Detractor Inc" in detractors.text
    assert "Promoter Inc" not in detractors.text
    assert "Passive Inc" not in detractors.text


def test_the_survey_page_counts_its_answers(client_as):
    client = client_as(Role.ADMIN)
    survey = Survey.objects.create(name="NPS Q4")
    for score in (10, 9, 3):
        Response.objects.create(
            customer=CustomerFactory(), survey=survey, score=score, source="web", answered_at="2026-05-01T00:00Z"
        )

    response = client.get(f"/feedback/surveys/{survey.pk}/")

    counts = response.context["counts"]
    assert (counts.answered, counts.promoters, counts.detractors, counts.nps) == (3, 2, 1, 33)


def test_the_menu_shows_feedback_to_the_customer_success_team_only(client_as):
    success = client_as(Role.MEMBER).get("/")
    assert 'href="/feedback/"' in success.text

    marketing = client_as(Role.MEMBER, team=TeamFactory(slug=Team.MARKETING)).get("/")
    assert 'href="/feedback/"' not in marketing.text


def test_the_inbox_puts_the_best_fitting_or_most_valuable_customers_first(client_as):
    from feedback.tests.factories import published_nps_rubric
    from rubrics.services.rescoring import customers_rescore

    published_nps_rubric(threshold=3)  # NPS 9+ scores 3 points: qualified
    client = client_as(Role.MEMBER)
    people = {
        "Fits, small": CustomerFactory(name="Fits, small", industry="Retail", clv=1_000, nps=10),
        "Misfit, rich": CustomerFactory(name="Misfit, rich", industry="Retail", clv=900_000, nps=2),
        "Misfit, newest": CustomerFactory(name="Misfit, newest", industry="Retail", clv=None, nps=5),
    }
    customers_rescore(customer_ids=[customer.pk for customer in people.values()])
    for day, name in enumerate(people, start=1):
        Response.objects.create(
            customer=people[name], score=people[name].nps, source="import", answered_at=f"2026-05-0{day}T00:00Z"
        )

    def names(sort):
        response = client.get("/feedback/responses/", {"sort": sort})
        assert response.status_code == 200
        return [row.customer.name for row in response.context["page"].items]

    assert names("newest") == ["Misfit, newest", "Misfit, rich", "Fits, small"]
    assert names("fit") == ["Fits, small", "Misfit, newest", "Misfit, rich"]
    assert names("value") == ["Misfit, rich", "Fits, small", "Misfit, newest"]
    assert names("nonsense") == names("newest")
