"""The lead list fits a 1,366 px laptop screen: no sideways scrolling, the whole table in view."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from teams.models import User

pytestmark = [pytest.mark.browser]

LAPTOP = {"width": 1366, "height": 768}


@pytest.mark.parametrize("username", ["admin", "rep"])
def test_the_lead_table_fits_a_1366_pixel_screen(transactional_db, browser, live_server, username):
    call_command("seed_demo", customers=300, verbosity=0)
    person = User.objects.get(username=username)
    person.set_password("correct horse battery")
    person.save(update_fields=["password"])
    context = browser.new_context(base_url=live_server.url, viewport=LAPTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(reverse("login"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "correct horse battery")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/$"))
        page.goto(reverse("leads:list"))
        page.locator("#lead-matrix table").wait_for()

        sizes = page.evaluate(
            """() => {
              const table = document.querySelector("[data-testid=lead-table]");
              return {
                page: document.documentElement.scrollWidth,
                window: window.innerWidth,
                tableRight: table.getBoundingClientRect().right,
                tableWidth: table.scrollWidth,
                boxWidth: table.parentElement.clientWidth,
                columns: [...table.querySelectorAll("thead th")].map(
                  th => `${th.textContent.trim()} ${Math.round(th.getBoundingClientRect().width)}px`
                ),
              };
            }"""
        )
    finally:
        context.close()

    assert sizes["tableWidth"] > 0
    assert sizes["page"] <= sizes["window"], sizes
    assert sizes["tableRight"] <= sizes["window"], sizes
    assert sizes["tableWidth"] <= sizes["boxWidth"], sizes  # nothing hidden behind the table's own scrollbar
