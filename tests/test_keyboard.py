"""The workshop and the lead list with the keyboard alone: Tab, Shift+Tab, arrows, Enter and Space.

Each control is reached by pressing Tab (or Shift+Tab) until it has the focus, never by clicking, and every
control reached shows its focus (tests/browsing.py: tab_to).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from leads.models import LeadDisposition
from leads.tests.factories import customers_score, published_rubric
from teams.models import Role
from tests.browsing import assert_focus_visible, pages_as, tab_to
from workshops.models import Proposal, StepStatus, Vote
from workshops.tests.factories import running_workshop

pytestmark = [pytest.mark.browser]


@pytest.fixture
def keyboard(browser, live_server, transactional_db):
    """A page signed in as the person given, for the keyboard only."""
    with pages_as(browser, live_server.url) as open_as:
        yield open_as


def _skip_to_content(page):
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    assert_focus_visible(page)
    page.keyboard.press("Enter")


def test_a_participant_proposes_votes_and_comments_with_the_keyboard(keyboard):
    room = running_workshop()
    page = keyboard(room.sales, reverse("workshops:step", args=[room.step.pk]))
    form = page.get_by_test_id("propose-form")

    _skip_to_content(page)
    tab_to(page, form.get_by_label("Section"))
    page.keyboard.type("Pain points")  # a closed select takes the option whose label is typed
    expect(form.get_by_label("Section")).to_have_value("pain_points")
    tab_to(page, form.get_by_label("Your proposal"))
    page.keyboard.type("Forecasts are guesses at quarter end")
    tab_to(page, form.get_by_role("button", name="Propose"))
    page.keyboard.press("Enter")

    proposal = page.get_by_test_id("proposal").filter(has_text="Forecasts are guesses at quarter end")
    expect(proposal).to_be_visible()
    assert Proposal.objects.filter(step=room.step, author=room.sales).count() == 1
    expect(page.get_by_test_id("propose-form").get_by_role("button", name="Propose")).to_be_focused()
    # The proposals come before the form: back up to the new one's dot.
    tab_to(page, proposal.get_by_role("button", name="Place a dot"), backwards=True)
    page.keyboard.press("Space")

    expect(proposal.get_by_role("button", name="Take your dot back")).to_be_focused()
    assert Vote.objects.filter(proposal__step=room.step, voter=room.sales).count() == 1
    assert_focus_visible(page)
    # A comment: the link opens the composer, where the focus goes.
    tab_to(page, proposal.get_by_role("link", name="Comment"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your comment")).to_be_focused()
    page.keyboard.type("Finance says the same")
    tab_to(page, page.get_by_role("button", name="Post the comment"))
    page.keyboard.press("Enter")
    expect(proposal.get_by_test_id("comment")).to_contain_text("Finance says the same")


def test_the_facilitator_closes_a_step_and_opens_the_next_with_the_keyboard(keyboard):
    room = running_workshop()
    next_step = room.workshop.steps.get(position=room.step.position + 1)
    page = keyboard(room.facilitator, reverse("workshops:board", args=[room.step.pk]))

    _skip_to_content(page)
    tab_to(page, page.get_by_role("button", name="Close this step"))
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("step-status")).to_contain_text("This step is closed")
    room.step.refresh_from_db()
    assert room.step.status == StepStatus.CLOSED
    tab_to(page, page.get_by_test_id("step-bar").get_by_role("link", name=next_step.title))
    page.keyboard.press("Enter")
    page.wait_for_url("**" + reverse("workshops:board", args=[next_step.pk]))
    tab_to(page, page.get_by_role("button", name="Open this step"))
    page.keyboard.press("Space")

    expect(page.get_by_test_id("step-status")).to_contain_text("This step is open")
    next_step.refresh_from_db()
    assert next_step.status == StepStatus.OPEN


def test_a_rep_filters_pages_and_accepts_a_lead_with_the_keyboard(keyboard, make_person):
    rep = make_person(Role.SALES_REP)
    version = published_rubric()
    # 60 qualified leads of the rep (more than a page of 50), named in order of the sort chosen below.
    leads = [CustomerFactory(owner=rep, industry="Software", name=f"Account {number:02}") for number in range(60)]
    customers_score(version, *leads)
    page = keyboard(rep, reverse("leads:list"))
    filters = page.get_by_role("form", name="Filter leads")

    _skip_to_content(page)
    tab_to(page, filters.get_by_label("Sort"))
    page.keyboard.type("Name")
    expect(filters.get_by_label("Sort")).to_have_value("name")
    tab_to(page, filters.get_by_role("button", name="Apply"))
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=name**")
    rows = page.get_by_test_id("lead-row")
    expect(rows.first).to_contain_text("Account 00")

    tab_to(page, page.get_by_role("navigation", name="Pages of leads").get_by_role("link", name="Next"), limit=200)
    page.keyboard.press("Enter")
    page.wait_for_url("**page=2**")
    expect(rows.first).to_contain_text("Account 50")
    tab_to(page, page.get_by_role("link", name="Account 50"))
    page.keyboard.press("Enter")
    page.wait_for_url("**" + reverse("leads:detail", args=[version.rubric_id, leads[50].pk]))

    tab_to(page, page.get_by_label("Accepted"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Account 50 is marked accepted.")).to_be_visible()
    assert LeadDisposition.objects.get(customer=leads[50]).status == "accepted"

    # Back on the lead: the radio group takes the focus at its checked radio, an arrow moves to the next one.
    tab_to(page, page.get_by_label("Accepted"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Contacted")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Account 50 is marked contacted.")).to_be_visible()
    assert LeadDisposition.objects.get(customer=leads[50]).status == "contacted"
