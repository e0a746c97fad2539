"""The README's five-minute tour, followed in a real browser on the demo data, as a newcomer would.

Every label the tour asks a newcomer to click or read is in bold in the README's tour; the test clicks
each one through `tour.step`, which first checks that the README still names it, so the text and the
product cannot drift apart silently."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from playwright.sync_api import expect

from rubrics.models import RubricVersion, VersionStatus

pytestmark = [pytest.mark.browser]

README = Path(django_settings.BASE_DIR) / "README.md"


class Tour:
    """The README's tour section, and a check that each label a test uses is one the tour names."""

    def __init__(self):
        text = README.read_text()
        start = text.index("## Try it in five minutes")
        self.text = text[start : text.index("\n## ", start + 1)]
        self.bold = set(re.findall(r"\*\*(.+?)\*\*", " ".join(self.text.split())))

    def step(self, label: str) -> str:
        assert label in self.bold, f"The README's tour no longer names “{label}”: update the tour or this test."
        return label


def _sign_in(browser, base_url: str, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("icp-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/")
    return page


def test_a_newcomer_follows_the_readme_tour_on_the_demo_data(transactional_db, browser, live_server, settings):
    tour = Tour()
    for login in ("facilitator", "marketing", "admin", "rep"):
        assert f"`{login}`" in tour.text
    settings.DEBUG = True  # as under `make run`: the demo people get the documented password
    call_command("seed_demo", customers=3000, stdout=io.StringIO())
    settings.DEBUG = False
    base = live_server.url

    # 1. The workshop: the facilitator's board, a participant's proposal and dot, agreed on the board.
    board = _sign_in(browser, base, "facilitator")
    board.get_by_test_id("home-workshops").get_by_role("link", name=re.compile(tour.step("ICP alignment, Q1"))).click()
    expect(board.locator("h1")).to_contain_text("Pain points defined")
    marketing = _sign_in(browser, base, "marketing")
    marketing.get_by_test_id("home-workshops").get_by_role("link", name=re.compile("ICP alignment, Q1")).click()
    marketing.get_by_label(tour.step("Your proposal")).fill("Quarterly planning happens in spreadsheets")
    marketing.get_by_role("button", name=tour.step("Propose"), exact=True).click()
    card = marketing.get_by_test_id("proposal").filter(has_text="Quarterly planning happens in spreadsheets")
    card.get_by_role("button", name=tour.step("Place a dot")).click()
    expect(card).to_contain_text("1 dot")
    row = board.get_by_role("row").filter(has_text="Quarterly planning happens in spreadsheets")
    expect(row).to_be_visible(timeout=5000)  # the board follows without a reload
    agreed = row.get_by_role("button", name=re.compile("^Mark agreed"))
    expect(agreed).to_have_text(tour.step("Agreed"))
    agreed.click()
    expect(board.get_by_role("row").filter(has_text="Quarterly planning happens in spreadsheets")).to_contain_text(
        "Agreed"
    )

    # 2. The rubric: a draft, its evidence, a change, the preview with its backtest, the publish.
    admin = _sign_in(browser, base, "admin")
    admin.get_by_role("navigation").get_by_role("link", name=tour.step("Rubrics")).click()
    admin.get_by_role("link", name=tour.step("Lead score")).click()
    admin.get_by_role("button", name=tour.step("Start a new draft")).click()
    evidence = admin.get_by_test_id("evidence-sentence").first
    expect(evidence).to_contain_text(re.compile("separates good from bad customers|No clear difference"))
    admin.get_by_role("link", name=tour.step("Edit")).first.click()
    save = admin.get_by_role("button", name=tour.step("Save the criterion"))
    edit_form = admin.locator("form").filter(has=save)
    edit_form.get_by_role("spinbutton", name="Points", exact=True).fill("1")
    save.click()
    expect(save).to_have_count(0)
    admin.get_by_role("link", name=tour.step("Preview on the customer base")).click()
    expect(admin.get_by_text("Backtest on the deals already won and lost")).to_be_visible()
    admin.get_by_role("button", name=re.compile(f"^{tour.step('Publish')} v2")).click()
    admin.wait_for_load_state()
    if admin.get_by_label("Why publish it anyway?").count():  # asked only when the draft ranks won deals worse
        admin.get_by_label("Why publish it anyway?").fill("Trying the tour")
        admin.get_by_role("button", name="Publish anyway").click()
    expect(admin.locator("#job-progress")).to_contain_text("customers scored by v2", timeout=60_000)
    assert RubricVersion.objects.get(number=2).status == VersionStatus.PUBLISHED

    # 3. The leads: the rep's list, the first lead's reasons, a decision.
    rep = _sign_in(browser, base, "rep")
    rep.get_by_role("navigation").get_by_role("link", name=tour.step("Leads")).click()
    expect(rep.get_by_text("Fit × engagement")).to_be_visible()
    rep.get_by_test_id("lead-row").first.get_by_role("link").first.click()
    expect(rep.get_by_role("heading", name=tour.step("Why this score"))).to_be_visible()
    rep.get_by_role("radio", name=tour.step("Accepted")).check()
    rep.get_by_role("button", name=tour.step("Save"), exact=True).click()
    expect(rep.get_by_text("Now: Accepted")).to_be_visible()

    # 4. The analytics: accuracy, then the best customers' traits.
    admin.get_by_role("navigation").get_by_role("link", name=tour.step("Analytics")).click()
    admin.get_by_role("link", name=tour.step("Accuracy")).first.click()
    expect(admin.locator("main")).to_contain_text("AUC")
    admin.go_back()
    admin.get_by_role("link", name=tour.step("Best customers")).first.click()
    expect(admin.locator("h1")).to_be_visible()
