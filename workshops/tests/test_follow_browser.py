"""Follow the facilitator in real browsers: a facilitator and three participants, one per team."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browsing import signed_in_context
from workshops.tests.factories import running_workshop

pytestmark = [pytest.mark.browser]

FOLLOW_MS = 2000  # every participant's screen is on the step the facilitator opened within this


def _open(browser, live_server, user, url):
    context = signed_in_context(browser, live_server.url, user)
    page = context.new_page()
    page.goto(url)
    return context, page


def test_screens_follow_the_facilitator_unless_someone_stays_and_a_closed_steps_form_is_disabled(
    transactional_db, browser, live_server
):
    room = running_workshop()
    pain_points = room.step
    needs = room.workshop.steps.get(position=4)
    contexts = []
    context, board = _open(browser, live_server, room.facilitator, reverse("workshops:board", args=[pain_points.pk]))
    contexts.append(context)
    pages = {}
    for user in room.members:
        context, page = _open(browser, live_server, user, reverse("workshops:step", args=[pain_points.pk]))
        contexts.append(context)
        expect(page.get_by_test_id("follow-state")).to_contain_text("follows the facilitator")
        pages[user.team.slug] = page
    marketing, sales, success = pages.values()

    # Customer success stays on the pain points; the others follow.
    success.get_by_role("button", name="Stay here").click()
    expect(success.get_by_test_id("follow-state")).to_contain_text("You stay on this step")
    expect(success.get_by_test_id("propose-form").get_by_label("Your proposal")).to_be_enabled()

    board.get_by_test_id("step-bar").get_by_role("link", name=re.compile(needs.title)).click()
    board.get_by_role("button", name="Open this step").click()
    expect(board.get_by_test_id("step-status")).to_contain_text("open")

    needs_url = re.compile(re.escape(reverse("workshops:step", args=[needs.pk])) + "$")
    for page in (marketing, sales):
        expect(page).to_have_url(needs_url, timeout=FOLLOW_MS)
        expect(page.get_by_role("heading", name=needs.title)).to_be_visible()
        expect(page.get_by_test_id("propose-form").get_by_label("Your proposal")).to_be_enabled()

    # The one who stayed is still on the pain points, now closed: the form is disabled before anyone types,
    # and says why.
    expect(success.get_by_test_id("closed-reason")).to_contain_text("This step is closed", timeout=FOLLOW_MS)
    assert success.url.endswith(reverse("workshops:step", args=[pain_points.pk]))
    expect(success.get_by_test_id("propose-form").get_by_label("Your proposal")).to_be_disabled()
    expect(success.get_by_test_id("propose-form").get_by_role("button", name="Propose")).to_be_disabled()

    # Back to following: to the open step.
    success.get_by_role("button", name="Follow the facilitator").click()
    expect(success).to_have_url(needs_url)
    expect(success.get_by_test_id("follow-state")).to_contain_text("follows the facilitator")

    # Looking back at a closed step by hand: its form is disabled too, and the next step opened still moves them.
    marketing.get_by_test_id("step-bar").get_by_role("link", name=re.compile("Pain points")).click()
    expect(marketing.get_by_test_id("closed-reason")).to_be_visible()
    expect(marketing.get_by_test_id("propose-form").get_by_label("Your proposal")).to_be_disabled()
    weights = room.weights_step
    board.get_by_test_id("step-bar").get_by_role("link", name=re.compile(weights.title)).click()
    board.get_by_role("button", name="Open this step").click()
    weights_url = re.compile(re.escape(reverse("workshops:step", args=[weights.pk])) + "$")
    for page in (marketing, sales, success):
        expect(page).to_have_url(weights_url, timeout=FOLLOW_MS)
    for context in contexts:
        context.close()
