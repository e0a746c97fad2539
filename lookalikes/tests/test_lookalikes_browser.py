"""Similar accounts in a browser: the customer page's panel, and a profile's "Find more like our best customers"."""

import re

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from lookalikes.matrix import matrix_forget
from lookalikes.services import similarity_build_now
from profiles.models import Exemplar, Profile
from teams.models import Role
from tests.support import browser_sign_in

pytestmark = [pytest.mark.browser]


def test_a_facilitator_sees_similar_accounts_and_finds_more_like_the_best_customers(
    transactional_db, browser, live_server, page, make_person
):
    matrix_forget()
    best = CustomerFactory(name="Best Co", contact_titles="VP Sales")
    CustomerFactory(name="Twin Co", contact_titles="VP Sales", lifecycle_stage="prospect")
    CustomerFactory(name="Far Co", industry="Retail", country="Japan", region="APAC", lifecycle_stage="prospect")
    profile = Profile.objects.create(name="Mid-market SaaS")
    Exemplar.objects.create(profile=profile, customer=best, reason="clv")
    similarity_build_now()
    browser_sign_in(page, make_person(Role.FACILITATOR))

    page.goto(live_server.url + reverse("customers:detail", args=[best.pk]))
    panel = page.get_by_test_id("similar-accounts")
    panel.wait_for()
    assert panel.get_by_test_id("similar-account").first.inner_text().startswith("Twin Co")
    assert "Industry: Software" in panel.inner_text()

    page.goto(live_server.url + reverse("profiles:detail", args=[profile.pk]))
    page.get_by_role("link", name="Find more like our best customers").click()
    page.wait_for_url(re.compile(r".*/lookalikes/\?profile=.*"))
    rows = page.get_by_test_id("lookalike")
    assert "Twin Co" in rows.first.inner_text()
    assert "Best Co" not in page.get_by_test_id("lookalikes").inner_text()
    assert "best customers of “Mid-market SaaS”" in page.get_by_test_id("seed-label").inner_text()
    matrix_forget()
