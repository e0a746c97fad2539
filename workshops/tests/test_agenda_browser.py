"""In real browsers: the step timer counts down on a participant's screen (and after a reload), the agenda
editor changes the agenda in place, and a persona is proposed with its parts."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from workshops.models import Proposal, Step
from workshops.services.room import workshop_touch
from workshops.tests.factories import running_workshop

pytestmark = [pytest.mark.browser]

LIVE_MS = 2000


def _open_as(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(reverse("login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    return context, page


def _seconds(text: str) -> int:
    minutes, seconds = re.search(r"(\d+):(\d\d) left", text).groups()
    return int(minutes) * 60 + int(seconds)


def test_the_timer_counts_down_for_a_participant_survives_a_reload_and_shows_time_up(
    transactional_db, browser, live_server
):
    room = running_workshop()
    board_context, board = _open_as(browser, live_server, room.facilitator)
    participant_context, page = _open_as(browser, live_server, room.sales)
    page.goto(reverse("workshops:step", args=[room.step.pk]))
    timer = page.get_by_test_id("timer")

    board.goto(reverse("workshops:board", args=[room.step.pk]))
    board.get_by_label("Timer (minutes)").fill("2")
    board.get_by_role("button", name="Start the timer").click()

    expect(timer).to_contain_text(re.compile(r"[12]:\d\d left"), timeout=LIVE_MS)
    first = _seconds(timer.inner_text())
    page.wait_for_timeout(1500)
    assert _seconds(timer.inner_text()) < first, "it counts down without a reload"
    page.reload()
    after_reload = _seconds(page.get_by_test_id("timer").inner_text())
    assert 100 < after_reload < first, "a reload goes on from the server's end time, not from 2:00"

    # The end is moved to 3 seconds from now on the server: the screen reaches zero and says so.
    Step.objects.filter(pk=room.step.pk).update(timer_ends_at=timezone.now() + datetime.timedelta(seconds=3))
    workshop_touch(room.workshop.pk, bar=True)
    expect(timer).to_have_text(re.compile(r"Time is up"), timeout=8000)
    expect(timer).to_have_attribute("data-time-up", "true")
    expect(page.get_by_test_id("step-status")).to_contain_text("open")
    assert Step.objects.get(pk=room.step.pk).status == "open", "time up does not close the step"

    board.get_by_role("button", name="Stop the timer").click()
    expect(timer).to_have_count(0, timeout=LIVE_MS)
    board_context.close()
    participant_context.close()


def test_the_facilitator_edits_the_agenda_in_place_and_a_persona_is_proposed_with_its_parts(
    transactional_db, browser, live_server
):
    room = running_workshop()
    board_context, board = _open_as(browser, live_server, room.facilitator)
    participant_context, page = _open_as(browser, live_server, room.sales)
    page.goto(reverse("workshops:step", args=[room.step.pk]))

    board.goto(reverse("workshops:agenda", args=[room.workshop.pk]))
    add = board.get_by_test_id("step-add-form")
    add.get_by_label("Title").fill("Who buys")
    add.get_by_label("Buyer personas").check()
    add.get_by_label("Minutes").fill("10")
    add.get_by_role("button", name="Add the step").click()
    steps = board.get_by_test_id("agenda-step")
    expect(steps).to_have_count(7)
    expect(steps.last).to_contain_text("Buyer personas")
    steps.last.get_by_role("button", name="Move “Who buys” up").click()
    expect(steps.nth(5)).to_contain_text("Buyer personas")
    expect(board.get_by_test_id("agenda-notice")).to_contain_text("moved up")
    assert board.url.endswith(reverse("workshops:agenda", args=[room.workshop.pk])), "no reload"
    expect(page.get_by_test_id("step-bar")).to_contain_text("Who buys", timeout=LIVE_MS)

    # The facilitator opens the segments step; the participant proposes a persona there.
    segments = room.workshop.steps.get(title__startswith="Segments")
    board.goto(reverse("workshops:board", args=[segments.pk]))
    board.get_by_role("button", name="Open this step").click()
    expect(page).to_have_url(re.compile(f"{reverse('workshops:step', args=[segments.pk])}$"), timeout=LIVE_MS)
    form = page.get_by_test_id("propose-form")
    expect(form.get_by_test_id("details-personas")).to_be_visible()  # the step's first section
    expect(form.get_by_test_id("details-messaging_matrix")).to_be_hidden()
    form.get_by_label("Section").select_option(label="Product messaging (pain point → feature → benefit)")
    expect(form.get_by_test_id("details-messaging_matrix")).to_be_visible()
    expect(form.get_by_test_id("details-personas")).to_be_hidden()
    form.get_by_label("Your proposal").fill("Typed before switching back")
    form.get_by_label("Section").select_option(label="Buyer personas")
    expect(form.get_by_test_id("details-personas")).to_be_visible()
    expect(form.get_by_label("Your proposal")).to_have_value("Typed before switching back")
    form.get_by_label("Your proposal").fill("")
    form.get_by_label("Title").fill("Head of RevOps")
    form.get_by_label("Goals").fill("One pipeline view")
    form.get_by_role("button", name="Propose").click()
    proposal = page.get_by_test_id("proposal").filter(has_text="Head of RevOps")
    expect(proposal.get_by_test_id("item-details")).to_contain_text("One pipeline view", timeout=LIVE_MS)
    assert Proposal.objects.get().details == {"title": "Head of RevOps", "goals": "One pipeline view"}
    board_context.close()
    participant_context.close()
