"""Evidence in the room, in real browsers: a participant sees the rubric's points and a criterion's evidence in
the scoring step and proposes new points for it; the close changes that criterion rather than adding one; an
admin previews the draft, reads that it separates won from lost deals worse, is asked why on publish, and
finds the reason in the rubric's history."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from profiles.models import Profile
from rubrics.models import Criterion, Rubric, RubricVersion
from teams.models import Role, Team
from tests.browsing import signed_in_context
from workshops.services.room import participants_invite, step_open, workshop_create
from workshops.tests.factories import person

pytestmark = [pytest.mark.browser]


def _planted_base():
    """Software wins 60 of its 80 deals, Retail 20 of 80: industry separates good from bad customers."""
    for industry, won, lost in (("Software", 60, 20), ("Retail", 20, 60)):
        for outcome, count in (("won", won), ("lost", lost)):
            Customer.objects.bulk_create(
                CustomerFactory.build(industry=industry, deal_outcome=outcome, region="EMEA") for _ in range(count)
            )


def test_evidence_in_the_room_then_a_worse_draft_published_only_with_a_reason(transactional_db, browser, live_server):
    _planted_base()
    profile = Profile.objects.create(name="Mid-market SaaS")
    rubric = Rubric.objects.create(profile=profile, name="Lead score")
    published = RubricVersion.objects.create(rubric=rubric, number=1, threshold=3, status="published")
    Criterion.objects.create(
        version=published, label="Industry match", field="industry", operator="in", values=["Software"], points=3
    )
    Criterion.objects.create(
        version=published, position=1, label="Region", field="region", operator="in", values=["EMEA"], points=3
    )
    facilitator = person(Role.FACILITATOR, Team.MARKETING, username="fran", first_name="Fran", last_name="Lead")
    sam = person(Role.MEMBER, Team.SALES, username="sam", first_name="Sam", last_name="Seller")
    admin = person(Role.ADMIN, Team.SALES, username="ops", first_name="Avery", last_name="Admin")
    workshop = workshop_create(profile=profile, title="Q3 ICP", facilitator=facilitator)
    participants_invite(workshop=workshop, users=[sam], user=facilitator)
    weights = workshop.steps.get(kind="weights")
    step_open(step=weights, user=facilitator)

    # Sam, in the scoring step: the rubric as it scores today, with what the base says about the criterion.
    sam_context = signed_in_context(browser, live_server.url, sam)
    page = sam_context.new_page()
    page.goto(reverse("workshops:step", args=[weights.pk]))
    row = page.get_by_test_id("rubric-criterion").filter(has_text="Industry match")
    expect(row.get_by_test_id("points-now")).to_have_text("+3")
    expect(row.get_by_test_id("evidence-sentence")).to_contain_text(
        "It separates good from bad customers: 75% of the deals it matches were won, against 25% of the rest"
    )
    # The same rule typed anew is recognised before anyone submits it.
    form = page.get_by_test_id("propose-form")
    form.get_by_label("Customer field").select_option(label="Industry")
    form.get_by_label("Values").fill("software")
    form.get_by_label("Values").press("Tab")
    expect(page.get_by_test_id("evidence-same")).to_contain_text("“Industry match” gives +3 today")
    # Sam proposes new points for the criterion itself.
    row.get_by_label("New points for Industry match").select_option(label="-1")
    row.get_by_role("button", name="Propose").click()
    expect(page.get_by_test_id("rubric-now-message")).to_have_text("Proposed: “Industry match” +3 → -1.")
    expect(page.get_by_test_id("proposal").get_by_test_id("points-change")).to_have_text("+3 → -1")

    # The facilitator agrees on it and closes the workshop: the criterion changes, nothing is added.
    fran_context = signed_in_context(browser, live_server.url, facilitator)
    board = fran_context.new_page()
    board.goto(reverse("workshops:board", args=[weights.pk]))
    group = board.get_by_test_id("weight-group").filter(has_text="Industry match")
    expect(group.get_by_test_id("group-now")).to_have_text("Today: +3")
    expect(group.get_by_test_id("group-evidence")).to_contain_text("It separates good from bad customers")
    group.get_by_role("button", name=re.compile("^Mark agreed")).click()
    expect(group.get_by_role("button", name=re.compile("^Open again"))).to_have_count(1)
    board.get_by_role("link", name="Close the workshop…").click()
    expect(board.get_by_test_id("close-weights")).to_contain_text("Industry match")
    board.get_by_role("button", name="Close and write this").click()
    board.wait_for_url(re.compile(r".*/summary/$"))
    draft = rubric.versions.get(status="draft")
    assert list(draft.criteria.order_by("position").values_list("label", "values", "points")) == [
        ("Industry match", ["Software"], -1),
        ("Region", ["EMEA"], 3),
    ]

    # The admin previews the draft: the backtest says it separates won from lost deals worse.
    admin_context = signed_in_context(browser, live_server.url, admin)
    admin_page = admin_context.new_page()
    admin_page.goto(reverse("rubrics:version_preview", args=[draft.pk]))
    expect(admin_page.get_by_test_id("backtest-verdict")).to_contain_text(
        "The draft separates won from lost deals worse than the published version: AUC 0.250"
    )
    # Publishing asks why (a blank reason is no reason), then publishes and keeps the reason.
    admin_page.get_by_role("button", name="Publish v2 anyway").click()
    expect(admin_page.get_by_test_id("worse-verdict")).to_contain_text("worse than the published version")
    admin_page.get_by_label("Why publish it anyway?").fill("Software buyers churn in year two; we are testing it.")
    admin_page.get_by_role("button", name="Publish anyway").click()
    admin_page.wait_for_url(re.compile(r".*/rubrics/jobs/\d+/$"))
    admin_page.goto(reverse("rubrics:rubric_detail", args=[rubric.pk]))
    expect(admin_page.get_by_test_id("publish-reason")).to_contain_text(
        "Software buyers churn in year two; we are testing it."
    )
    for context in (sam_context, fran_context, admin_context):
        context.close()
