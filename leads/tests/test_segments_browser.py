"""A rep moves between new business and expansion in a real browser, and asks for the churned accounts."""

import pytest

from customers.tests.factories import CustomerFactory
from leads.tests.factories import customers_score, published_rubric
from rubrics.models import LeadAudience
from teams.models import Role
from tests.support import browser_sign_in

pytestmark = [pytest.mark.browser]


def _names(page) -> list[str]:
    return sorted(page.locator("[data-testid=lead-row] td:nth-child(2) a").all_inner_texts())


def _counts(page) -> list[str]:
    return page.get_by_test_id("segment-count").all_inner_texts()


def test_a_rep_switches_tabs_and_shows_the_churned_accounts(transactional_db, page, make_person):
    version = published_rubric(audience=LeadAudience.BOTH)
    rep = make_person(Role.SALES_REP, username="riley")
    planted = {
        "Acme Prospect": "prospect",
        "Beta Lead": "lead",
        "Cobalt Customer": "customer",
        "Delta Churned": "churned",
        "Echo Churned": "churned",
    }
    customers_score(
        version, *(CustomerFactory(owner=rep, name=name, lifecycle_stage=stage) for name, stage in planted.items())
    )

    browser_sign_in(page, rep)
    page.get_by_role("link", name="Leads").first.click()
    assert _names(page) == ["Acme Prospect", "Beta Lead"]
    assert _counts(page) == ["2", "1"]
    assert page.get_by_label("Show churned accounts").count() == 0

    page.get_by_test_id("segment-expansion").click()
    assert _names(page) == ["Cobalt Customer"]
    assert "2 churned accounts hidden." in page.get_by_test_id("segment-note").inner_text()

    page.get_by_label("Show churned accounts").check()
    page.get_by_role("button", name="Apply", exact=True).click()
    page.wait_for_url("**churned=on**")
    assert _names(page) == ["Cobalt Customer", "Delta Churned", "Echo Churned"]
    assert _counts(page) == ["2", "3"]

    page.get_by_test_id("segment-new_business").click()
    assert _names(page) == ["Acme Prospect", "Beta Lead"]
