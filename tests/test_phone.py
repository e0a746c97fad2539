"""The key action of the workshop page, the lead list and the survey page, done on a phone (375×667, touch).

Each control is tapped where it is, after scrolling to it as a thumb would: it must lie within the screen's
width (nothing to scroll sideways for) and work.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from feedback.models import Response
from feedback.tests.factories import invitation_for, survey_path
from leads.models import LeadDisposition
from leads.tests.factories import customers_score, published_rubric
from teams.models import Role
from tests.browsing import PHONE, pages_as
from workshops.models import Vote
from workshops.tests.factories import running_workshop

pytestmark = [pytest.mark.browser]


@pytest.fixture
def phone(browser, live_server, transactional_db):
    """A page on a phone, signed in as the person given (or no one)."""
    with pages_as(browser, live_server.url, **PHONE) as open_as:
        yield open_as


def _tap(control):
    """Scroll to the control, check that it is on the screen, whole, and tap it."""
    control.scroll_into_view_if_needed()
    expect(control).to_be_visible()
    box = control.bounding_box()
    assert box["x"] >= 0, f"{control} starts left of the screen"
    assert box["x"] + box["width"] <= PHONE["viewport"]["width"], f"{control} runs off the screen's right edge"
    expect(control).to_be_in_viewport(ratio=1)
    control.tap()


def test_a_participant_proposes_and_places_a_dot_on_a_phone(phone):
    room = running_workshop()
    page = phone(room.success, reverse("workshops:step", args=[room.step.pk]))
    form = page.get_by_test_id("propose-form")

    _tap(form.get_by_label("Your proposal"))
    page.keyboard.type("Renewals are a surprise to the account team")
    _tap(form.get_by_role("button", name="Propose"))
    proposal = page.get_by_test_id("proposal").filter(has_text="Renewals are a surprise to the account team")
    expect(proposal).to_be_visible()
    _tap(proposal.get_by_role("button", name="Place a dot"))

    expect(proposal.get_by_role("button", name="Take your dot back")).to_be_visible()
    assert Vote.objects.filter(proposal__step=room.step, voter=room.success).count() == 1


def test_a_rep_filters_and_accepts_a_lead_on_a_phone(phone, make_person):
    rep = make_person(Role.SALES_REP)
    version = published_rubric()
    customers = [CustomerFactory(owner=rep, industry="Software", name=name) for name in ("Acme Cloud", "Beta Apps")]
    customers_score(version, *customers)
    page = phone(rep, reverse("leads:list"))
    filters = page.get_by_role("form", name="Filter leads")

    _tap(filters.get_by_label("Search"))
    page.keyboard.type("Beta")
    _tap(filters.get_by_role("button", name="Apply"))
    page.wait_for_url("**q=Beta**")
    expect(page.get_by_test_id("lead-row")).to_have_count(1)
    _tap(page.get_by_role("link", name="Beta Apps"))
    _tap(page.get_by_label("Accepted"))
    _tap(page.get_by_role("button", name="Save"))

    expect(page.get_by_text("Beta Apps is marked accepted.")).to_be_visible()
    assert LeadDisposition.objects.get(customer=customers[1]).status == "accepted"


def test_a_customer_answers_the_survey_on_a_phone(phone):
    invitation = invitation_for(CustomerFactory(name="Acme Cloud", nps=None))
    page = phone(None, survey_path(invitation))

    _tap(page.get_by_text("9", exact=True))
    _tap(page.get_by_role("button", name="Send my answer"))

    expect(page.get_by_test_id("survey-thanks")).to_contain_text("We have your answer: 9")
    assert Response.objects.get(invitation=invitation).score == 9
