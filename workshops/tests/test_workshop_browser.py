"""A whole workshop in real browsers: three teams and a facilitator, four browser contexts, live updates."""

import re
import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from profiles.models import ItemStatus, Profile, ProfileItem
from rubrics.models import RubricVersion
from teams.models import Role, Team
from tests.browsing import signed_in_context
from workshops.models import Vote
from workshops.tests.factories import item, person, running_workshop

pytestmark = [pytest.mark.browser]

LIVE_MS = 2000  # what one person does shows on every other screen within this


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


def _join(page, title):
    page.get_by_role("link", name="Workshops").first.click()
    page.get_by_role("link", name=re.compile(title)).click()
    expect(page.get_by_test_id("proposals")).to_be_visible()


def _proposal(page, text):
    return page.get_by_test_id("proposal").filter(has_text=text)


def _propose_weight(page, points):
    form = page.get_by_test_id("propose-form")
    form.get_by_label("Criterion").fill("Software companies")
    form.get_by_label("Customer field").select_option(label="Industry")
    form.get_by_label("Operator").select_option(label="is one of")
    form.get_by_label("Values").fill("Software")
    form.get_by_label("Points").select_option(label=f"{points:+d}")
    form.get_by_role("button", name="Propose").click()


def test_three_teams_agree_on_a_profile_live_and_the_close_writes_it(transactional_db, browser, live_server):
    Profile.objects.create(name="Mid-market SaaS")
    facilitator = person(Role.FACILITATOR, Team.MARKETING, username="fran", first_name="Fran", last_name="Lead")
    mia = person(Role.MEMBER, Team.MARKETING, username="mia", first_name="Mia", last_name="Market")
    sam = person(Role.MEMBER, Team.SALES, username="sam", first_name="Sam", last_name="Seller")
    cass = person(Role.MEMBER, Team.CUSTOMER_SUCCESS, username="cass", first_name="Cass", last_name="Care")
    contexts = []

    # The facilitator creates the workshop, inviting one person per team, and opens the pain points step.
    context, board = _open_as(browser, live_server, facilitator)
    contexts.append(context)
    board.get_by_role("link", name="Workshops").first.click()
    board.get_by_role("link", name="New workshop").click()
    board.get_by_label("Profile").select_option(label="Mid-market SaaS")
    board.get_by_label("Title").fill("Q3 ICP")
    board.get_by_label("Agree / disagree per proposal").check()
    for name in ("Mia Market", "Sam Seller", "Cass Care"):
        board.get_by_label(f"{name} (Member)").check()
    board.get_by_role("button", name="Create the workshop").click()
    board.get_by_test_id("step-bar").get_by_role("link", name=re.compile("Pain points defined")).click()
    board.get_by_role("button", name="Open this step").click()
    expect(board.get_by_test_id("step-status")).to_contain_text("open")

    pages = {}
    for user in (mia, sam, cass):
        context, page = _open_as(browser, live_server, user)
        contexts.append(context)
        _join(page, "Q3 ICP")
        pages[user.username] = page
    mia_page, sam_page, cass_page = pages["mia"], pages["sam"], pages["cass"]
    expect(board.get_by_test_id("attendance").locator(".text-bg-success")).to_have_count(3, timeout=LIVE_MS)

    # Cass is typing when Mia proposes: the new proposal appears for her, her half-typed text stays.
    cass_box = cass_page.get_by_test_id("propose-form").get_by_label("Your proposal")
    cass_box.fill("Renewals are a surprise")
    mia_form = mia_page.get_by_test_id("propose-form")
    mia_form.get_by_label("Section").select_option(label="Pain points")
    mia_form.get_by_label("Your proposal").fill("Month-end reporting takes days")
    mia_form.get_by_role("button", name="Propose").click()
    for page in (sam_page, cass_page):
        expect(_proposal(page, "Month-end reporting takes days")).to_be_visible(timeout=LIVE_MS)
    expect(board.get_by_test_id("item-split").filter(has_text="Month-end reporting")).to_be_visible(timeout=LIVE_MS)
    expect(cass_box).to_have_value("Renewals are a surprise")
    expect(mia_form.get_by_label("Your proposal")).to_have_value("")

    # Votes: sales agrees (a double click is one vote), customer success disagrees.
    _proposal(sam_page, "Month-end").get_by_role("button", name="Agree", exact=True).dblclick()
    _proposal(cass_page, "Month-end").get_by_role("button", name="Disagree").click()
    expect(_proposal(mia_page, "Month-end").get_by_test_id("vote-count")).to_have_text(
        re.compile(r"1 agree, 1 disagree"), timeout=LIVE_MS
    )
    assert Vote.objects.filter(voter=sam).count() == 1

    # Sam comments; the others read it without reloading.
    _proposal(sam_page, "Month-end").get_by_role("link", name="Comment").click()
    sam_page.get_by_test_id("comment-form").get_by_label("Your comment").fill("Only above 50 employees")
    sam_page.get_by_role("button", name="Post the comment").click()
    for page in (mia_page, cass_page):
        expect(_proposal(page, "Month-end").get_by_test_id("comment")).to_contain_text(
            "Only above 50 employees", timeout=LIVE_MS
        )

    # The facilitator sees the split by team, the disagreement highlighted, and marks the item agreed.
    row = board.get_by_test_id("item-split").filter(has_text="Month-end reporting")
    expect(row).to_have_attribute("data-contested", "true", timeout=LIVE_MS)
    expect(row.locator("[data-team='Sales']")).to_have_text("+1 / −0")
    expect(row.locator("[data-team='Customer Success']")).to_have_text("+0 / −1")
    row.get_by_role("button", name=re.compile("^Mark agreed")).click()
    for page in (mia_page, sam_page, cass_page):
        expect(_proposal(page, "Month-end").get_by_test_id("proposal-status")).to_have_text("Agreed", timeout=LIVE_MS)

    # The scoring step: each team proposes points for the same criterion; the board shows their spread.
    board.get_by_test_id("step-bar").get_by_role("link", name=re.compile("Scoring weights agreed")).click()
    board.get_by_role("button", name="Open this step").click()
    for page, points in ((sam_page, 3), (mia_page, -1), (cass_page, 2)):
        expect(page.get_by_test_id("step-bar").locator("[aria-current=step]")).to_contain_text(
            "Scoring weights agreed", timeout=LIVE_MS
        )  # their screens followed the facilitator
        _propose_weight(page, points)
    for page in (mia_page, sam_page, cass_page):
        expect(page.get_by_test_id("proposal")).to_have_count(3, timeout=LIVE_MS)
    group = board.get_by_test_id("weight-group").filter(has_text="Software companies")
    expect(group.get_by_test_id("spread")).to_contain_text("4", timeout=LIVE_MS)
    expect(group).to_have_attribute("data-contested", "true")
    expect(group.locator("[data-team='Sales']")).to_contain_text("+3")
    expect(group.locator("[data-team='Marketing']")).to_contain_text("-1")
    group.locator("[data-team='Sales']").get_by_role("button", name=re.compile("^Mark agreed")).click()
    expect(_proposal(sam_page, "+3").get_by_test_id("proposal-status")).to_have_text("Agreed", timeout=LIVE_MS)

    # Closing writes the agreed item into the profile and the agreed weight into a rubric draft.
    board.get_by_role("link", name="Close the workshop…").click()
    board.get_by_role("button", name="Close and write this").click()
    expect(board.get_by_test_id("summary-agreed")).to_contain_text("Month-end reporting takes days")
    expect(board.get_by_test_id("summary-agreed")).to_contain_text("Software companies")
    expect(mia_page.get_by_test_id("step-status")).to_contain_text("closed", timeout=LIVE_MS)

    items = ProfileItem.objects.filter(profile__name="Mid-market SaaS")
    assert [(i.text, i.status) for i in items] == [("Month-end reporting takes days", ItemStatus.AGREED)]
    draft = RubricVersion.objects.get(rubric__profile__name="Mid-market SaaS", status="draft")
    assert list(draft.criteria.values_list("field", "operator", "values", "points")) == [
        ("industry", "in", ["Software"], 3)
    ]
    for context in contexts:
        context.close()


# Once the proposals are redrawn with the dot placed, and before anything else can happen (a key pressed, a
# click), the "Comment" link of the new region is followed, as a keyboard user quick to move on would. The
# redraw is the vote's own answer or the live question it woke (workshops/live_wait.py), whichever lands
# first: the other is dropped, as its region is gone.
FOLLOW_COMMENT_AT_ONCE = """proposalId => document.addEventListener("htmx:afterSwap", function follow(event) {
  const placed = document.querySelector(`#vote-${proposalId}[aria-pressed="true"]`);
  if (event.detail.target.id !== "proposals" || !placed) {
    return;
  }
  document.removeEventListener("htmx:afterSwap", follow);
  queueMicrotask(() => document.getElementById(`comment-${proposalId}`).click());
})"""


def test_a_link_in_a_region_just_redrawn_opens_the_composer_at_once(transactional_db, browser, live_server):
    """New content is live as soon as it is in (static/js/htmx-setup.js): its links never leave the page."""
    room = running_workshop()
    proposal = item(room)
    step_url = reverse("workshops:step", args=[room.step.pk])
    context = signed_in_context(browser, live_server.url, room.sales)
    page = context.new_page()
    page.goto(step_url)
    page.evaluate(FOLLOW_COMMENT_AT_ONCE, proposal.pk)

    page.get_by_test_id("proposal").get_by_role("button", name="Place a dot").click()

    expect(page.get_by_test_id("composer").get_by_label("Your comment")).to_be_focused()
    assert page.url == live_server.url + step_url
    context.close()


# Notes how each swap of the proposals region came: "get" (the region's own question) or "post" (a write's answer).
NOTE_SWAPS = """() => {
  window.swaps = [];
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id === "proposals") window.swaps.push(event.detail.requestConfig.verb);
  });
}"""


def test_a_vote_answered_after_the_question_it_woke_still_draws_the_region(transactional_db, browser, live_server):
    """The region's own question, woken by the vote, comes back first: it is dropped (static/js/live-regions.js),
    so the vote's answer, which would otherwise swap into the replaced region and be lost, draws the region."""
    room = running_workshop()
    item(room)
    context = signed_in_context(browser, live_server.url, room.sales)
    page = context.new_page()
    page.goto(reverse("workshops:step", args=[room.step.pk]))
    page.evaluate(NOTE_SWAPS)

    def answer_late(route):
        response = route.fetch()  # the vote is made now; its answer comes a second later
        time.sleep(1.0)
        route.fulfill(response=response)

    page.route("**/vote/", answer_late)
    page.get_by_test_id("proposal").get_by_role("button", name="Place a dot").click()

    page.wait_for_function("() => window.swaps.includes('post')", timeout=LIVE_MS)
    assert page.evaluate("window.swaps") == ["post"]
    expect(page.get_by_test_id("dots-left")).to_contain_text("2")
    context.close()


def test_the_comment_and_edit_pages_post_with_javascript_on(transactional_db, browser, live_server):
    """Opened on their own (a new tab), the comment and edit pages post and lead back to the step."""
    room = running_workshop()
    proposal = item(room, author=room.sales)
    step_url = reverse("workshops:step", args=[room.step.pk])
    context = signed_in_context(browser, live_server.url, room.sales)
    page = context.new_page()

    page.goto(reverse("workshops:comment", args=[proposal.pk]))
    page.get_by_label("Your comment").fill("Finance says the same")
    page.get_by_role("button", name="Post the comment").click()
    page.wait_for_url("**" + step_url)
    expect(page.get_by_test_id("comment")).to_contain_text("Finance says the same")

    page.goto(reverse("workshops:proposal_edit", args=[proposal.pk]))
    page.get_by_label("Text").fill("Spreadsheets break at 50 people")
    page.get_by_role("button", name="Save the change").click()
    page.wait_for_url("**" + step_url)
    expect(page.get_by_test_id("proposal-text")).to_have_text("Spreadsheets break at 50 people")
    context.close()
