"""A rep works through their leads in a real browser; the admin sees why leads were turned down."""

import re

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from leads.models import DisqualificationReason, LeadDisposition
from profiles.models import Profile
from rubrics.models import Criterion, LeadAudience, Rubric, RubricVersion, Score
from rubrics.selectors import version_spec
from rubrics.services.scores import scores_write
from teams.models import Role
from tests.support import browser_sign_in

pytestmark = [pytest.mark.browser]


def test_a_rep_reviews_and_disqualifies_a_lead_and_the_admin_sees_the_reason_counted(
    transactional_db, browser, live_server, page, make_person
):
    # The reasons come from a data migration, which an earlier transactional test's flush may have emptied.
    DisqualificationReason.objects.get_or_create(label="Competitor")
    rubric = Rubric.objects.create(
        profile=Profile.objects.create(name="Mid-market SaaS"), name="Fit", audience=LeadAudience.EXPANSION
    )
    version = RubricVersion.objects.create(
        rubric=rubric, number=1, threshold=3, status="published", grades=[{"label": "A", "min": 5}]
    )
    Criterion.objects.create(
        version=version, label="Software company", field="industry", operator="in", values=["Software"], points=3
    )
    Criterion.objects.create(
        version=version,
        label="Busy website",
        field="website_visits_30d",
        operator="gte",
        values=[20],
        points=2,
        group="engagement",
        position=1,
    )
    rep = make_person(Role.SALES_REP, username="riley")
    other = make_person(Role.SALES_REP, username="rowan")
    CustomerFactory(owner=rep, name="Acme Cloud", industry="Software", website_visits_30d=50)
    CustomerFactory(owner=rep, name="Beta Apps", industry="Software", website_visits_30d=3)
    CustomerFactory(owner=rep, name="Corner Shop", industry="Retail", website_visits_30d=90)
    CustomerFactory(owner=other, name="Rowan's Account", industry="Software", website_visits_30d=50)
    scores_write(version=version, spec=version_spec(version), low_id=0, high_id=10**9)

    browser_sign_in(page, rep)
    page.get_by_role("link", name="Leads").first.click()
    names = page.locator("[data-testid=lead-row] td:nth-child(2) a").all_inner_texts()
    totals = [int(t) for t in page.get_by_test_id("lead-score").all_inner_texts()]
    assert names == ["Acme Cloud", "Beta Apps"], "own qualified leads only, best first"
    assert totals == sorted(totals, reverse=True) == [5, 3]

    page.get_by_role("link", name="Acme Cloud").click()
    why = page.get_by_test_id("matched-criterion")
    assert why.count() == 2
    assert "Software company" in why.nth(0).inner_text()
    assert "+3" in why.nth(0).inner_text()
    assert "Busy website" in why.nth(1).inner_text()
    assert "50" in why.nth(1).inner_text()
    stored = Score.objects.get(customer__name="Acme Cloud", rubric=rubric)
    assert page.get_by_test_id("lead-total").inner_text() == str(stored.total)

    page.get_by_label("Disqualified").check()
    page.get_by_label("Reason (to disqualify)").select_option(label="Competitor")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/leads/\?rubric=\d+$"))
    assert page.get_by_text("Acme Cloud is disqualified (Competitor).").is_visible()
    assert page.locator("[data-testid=lead-row] td:nth-child(2) a").all_inner_texts() == ["Beta Apps"]
    assert LeadDisposition.objects.get(customer__name="Acme Cloud").reason.label == "Competitor"

    admin_context = browser.new_context(base_url=live_server.url)
    admin_page = admin_context.new_page()
    browser_sign_in(admin_page, make_person(Role.ADMIN, username="ops"))
    admin_page.goto(reverse("leads:list") + f"?rubric={rubric.pk}")
    admin_page.get_by_role("link", name="Why leads were turned down").click()
    by_reason = admin_page.get_by_test_id("reason-count")
    assert by_reason.filter(has_text="Competitor").inner_text().split()[-1] == "1"
    by_criterion = admin_page.get_by_test_id("criterion-count")
    assert by_criterion.filter(has_text="Software company").inner_text().split()[-1] == "1"
    admin_context.close()
