"""Running the room in real browsers: a facilitator and three participants (one per team) through a private step
revealed, a merge that gives a dot back, every screen following the facilitator to the next step, a weight poker
round that reveals by itself, the close preview and its confirmation, and a reopen. (Staying on a step, and a
closed step's disabled forms: test_follow_browser.py.)"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from profiles.models import ProfileItem
from tests.browsing import pages_as
from workshops.models import Proposal, Workshop
from workshops.tests.factories import running_workshop

pytestmark = [pytest.mark.browser]

LIVE_MS = 2000  # what one person does shows on every other screen within this


def _proposal(page, text):
    """A proposal's card by its own text (a merged card names the one it went into too)."""
    return page.get_by_test_id("proposal").filter(has=page.get_by_test_id("proposal-text").filter(has_text=text))


def _propose_item(page, text):
    form = page.get_by_test_id("propose-form")
    form.get_by_label("Section").select_option(label="Pain points")
    form.get_by_label("Your proposal").fill(text)
    form.get_by_role("button", name="Propose").click()
    expect(form.get_by_label("Your proposal")).to_have_value("")


def _propose_weight(page, points):
    form = page.get_by_test_id("propose-form")
    form.get_by_label("Criterion").fill("Software companies")
    form.get_by_label("Customer field").select_option(label="Industry")
    form.get_by_label("Operator").select_option(label="is one of")
    form.get_by_label("Values").fill("Software")
    form.get_by_label("Points").select_option(label=f"{points:+d}")
    form.get_by_role("button", name="Propose").click()


def _row(board, text):
    """The board's row of a proposal (the merge menus of the other rows name it too)."""
    return board.get_by_test_id("item-split").filter(has=board.get_by_test_id("split-text").filter(has_text=text))


def _pick(page, points, *, last=False):
    card = _proposal(page, "Software companies")
    card.get_by_label("Your pick").select_option(label=f"{points:+d}")
    # Others pick meanwhile and the proposals are drawn again (every 0.3 s): the choice must survive that.
    page.wait_for_timeout(700)
    expect(card.get_by_label("Your pick")).to_have_value(str(points))
    card.get_by_role("button", name="Pick").click()
    if not last:  # the last pick ends the round: no pick buttons then
        expect(card.get_by_role("button", name=re.compile("Picked"))).to_be_visible()


def test_a_facilitator_and_three_teams_run_the_room(transactional_db, browser, live_server):
    room = running_workshop(dots=3)
    workshop, step = room.workshop, room.step
    with pages_as(browser, live_server.url) as open_as:
        board = open_as(room.facilitator, reverse("workshops:board", args=[step.pk]))
        pages = {user.username: open_as(user, reverse("workshops:step", args=[step.pk])) for user in room.members}
        mia, sam, cass = (pages[user.username] for user in room.members)

        # A private step: each one's proposals stay hidden from the others, and from the projected board.
        board.get_by_label("How this step runs").select_option("private")
        board.get_by_role("button", name="Set").click()
        expect(board.get_by_test_id("hidden-counts")).to_contain_text("0 proposals")
        expect(mia.get_by_test_id("hidden-note")).to_be_visible(timeout=LIVE_MS)
        _propose_item(mia, "Reporting takes a day")
        _propose_item(sam, "Reports take a whole day")
        _propose_item(cass, "No single view of the customer")
        expect(board.get_by_test_id("hidden-counts")).to_contain_text("3 proposals", timeout=LIVE_MS)
        expect(_proposal(mia, "Reporting takes a day")).to_be_visible()
        sam.wait_for_timeout(LIVE_MS)
        for page in (sam, cass):
            expect(_proposal(page, "Reporting takes a day")).to_have_count(0)
        expect(board.get_by_test_id("board")).not_to_contain_text("Reporting takes a day")

        # The reveal: everyone sees everything, at once.
        board.get_by_role("button", name="Reveal everyone's now").click()
        for page in (mia, sam, cass):
            expect(page.get_by_test_id("proposal")).to_have_count(3, timeout=LIVE_MS)

        # A merge: Mia dotted both duplicates; she keeps one dot on the kept one and gets the other back.
        for text in ("Reporting takes a day", "Reports take a whole day"):
            _proposal(mia, text).get_by_role("button", name="Place a dot").click()
            expect(_proposal(mia, text).get_by_role("button", name="Take your dot back")).to_be_visible()
        _proposal(sam, "Reports take a whole day").get_by_role("button", name="Place a dot").click()
        expect(mia.get_by_test_id("dots-left")).to_contain_text("1 dot left")
        kept = Proposal.objects.get(text="Reporting takes a day")
        duplicate = _row(board, "Reports take a whole day")
        expect(duplicate).to_be_visible(timeout=LIVE_MS)
        duplicate.get_by_test_id("merge-form").locator("select").select_option(str(kept.pk))
        duplicate.get_by_role("button", name=re.compile("^Merge")).click()
        expect(board.get_by_test_id("merged")).to_contain_text("merged into “Reporting takes a day”")
        expect(mia.get_by_test_id("dots-left")).to_contain_text("2 dots left", timeout=LIVE_MS)
        expect(_proposal(mia, "Reports take a whole day").get_by_test_id("merged-into")).to_be_visible()
        expect(_proposal(cass, "Reporting takes a day").get_by_test_id("vote-count")).to_have_text(
            re.compile("2 dots"), timeout=LIVE_MS
        )
        _row(board, "Reporting takes a day").get_by_role("button", name=re.compile("^Mark agreed")).click()
        expect(_proposal(sam, "Reporting takes a day").get_by_test_id("proposal-status")).to_have_text(
            "Agreed", timeout=LIVE_MS
        )

        # Weight poker in the scoring step: the picks stay hidden, the board says who has not picked, and the
        # last pick reveals the round by itself.
        board.get_by_test_id("step-bar").get_by_role("link", name=re.compile("Scoring weights agreed")).click()
        board.get_by_role("button", name="Open this step").click()
        board.get_by_label("How this step runs").select_option("poker")
        board.get_by_role("button", name="Set").click()
        # Follow the facilitator: every screen moves to the step just opened, by itself.
        weights_url = re.compile(re.escape(reverse("workshops:step", args=[room.weights_step.pk])) + "$")
        for page in (mia, sam, cass):
            expect(page).to_have_url(weights_url, timeout=LIVE_MS)
        _propose_weight(mia, 3)
        for page in (sam, cass):
            expect(_proposal(page, "Software companies").get_by_test_id("points-hidden")).to_be_visible(timeout=LIVE_MS)
        _pick(mia, 3)
        _pick(sam, -1)
        expect(board.get_by_test_id("waiting-for")).to_have_text(
            re.compile(rf"Not picked yet: {room.success.display_name}\s*$"), timeout=LIVE_MS
        )
        expect(mia.get_by_test_id("pick-spread")).to_have_count(0)
        _pick(cass, 2, last=True)
        for page in (mia, sam):
            expect(page.get_by_test_id("pick-spread")).to_contain_text("spread 4", timeout=LIVE_MS)
        expect(board.get_by_test_id("pick-table")).to_be_visible(timeout=LIVE_MS)
        expect(board.get_by_test_id("pick-table").get_by_test_id("pick-spread")).to_have_text("4")

        # Closing shows what it will write first, and writes it on confirmation.
        board.get_by_role("link", name="Close the workshop…").click()
        expect(board.get_by_test_id("close-items")).to_contain_text("Reporting takes a day")
        expect(board.get_by_test_id("close-weights")).to_contain_text("No agreed weight")
        assert not ProfileItem.objects.exists()
        board.get_by_role("button", name="Close and write this").click()
        expect(board.get_by_test_id("summary-agreed")).to_contain_text("Reporting takes a day")
        expect(mia.get_by_test_id("step-status")).to_contain_text("closed", timeout=LIVE_MS)
        assert [item.text for item in ProfileItem.objects.all()] == ["Reporting takes a day"]

        # And reopened: everything agreed stays agreed, and the facilitator runs the steps again.
        board.get_by_role("button", name="Reopen the workshop").click()
        expect(board.get_by_role("button", name="Open this step")).to_be_visible()
        expect(mia.get_by_test_id("step-status")).not_to_contain_text("workshop is closed", timeout=LIVE_MS)
        assert Workshop.objects.get(pk=workshop.pk).status == "running"
        assert Proposal.objects.get(pk=kept.pk).status == "agreed"
