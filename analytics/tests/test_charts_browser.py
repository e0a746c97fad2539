"""The segments and accuracy pages draw their charts in a real browser, under a CSP that forbids inline script."""

import re

import pytest

from teams.models import Role
from tests.support import browser_sign_in

from .factories import planted_icp

pytestmark = [pytest.mark.browser]

# What a strict CSP says about scripts: only files from the site itself, nothing inline.
CSP = "script-src 'self'; object-src 'none'; base-uri 'self'"


def _with_csp(route):
    """The site's own policy when it sends one, otherwise at least the script rule above."""
    response = route.fetch()
    headers = dict(response.headers)
    headers.setdefault("content-security-policy", CSP)
    route.fulfill(response=response, headers=headers)


def _drawn_pixels(page, chart: str) -> int:
    """How many pixels of the chart's canvas are not blank."""
    return page.evaluate(
        """(chart) => {
            const canvas = document.querySelector(`canvas[data-chart="${chart}"]`);
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let drawn = 0;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) drawn++; }
            return drawn;
        }""",
        chart,
    )


def test_the_segments_and_accuracy_pages_draw_their_charts(transactional_db, page, make_person):
    icp = planted_icp(count=600)
    member = make_person(Role.MEMBER, username="morgan")
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.route(re.compile(r".*/analytics/.*"), _with_csp)

    browser_sign_in(page, member)
    page.get_by_role("link", name="Analytics").first.click()
    page.get_by_role("link", name="Segments").first.click()
    page.wait_for_selector("canvas[data-chart='segments-conversion'][data-drawn='true']")

    charts = page.locator("canvas[data-chart]")
    assert charts.count() == 7
    for chart in ("segments-nps", "segments-conversion", "segments-clv"):
        assert _drawn_pixels(page, chart) > 500, chart
    assert page.get_by_test_id("segment-fit").is_visible()

    page.get_by_role("link", name="Is the ICP accurate?").click()
    page.wait_for_selector("canvas[data-chart='accuracy-roc'][data-drawn='true']")
    for chart in ("accuracy-roc", "accuracy-deciles", "accuracy-grades"):
        assert _drawn_pixels(page, chart) > 500, chart
    assert page.get_by_test_id("auc").inner_text().startswith("0.")
    assert "separates won from lost deals better" in page.get_by_test_id("verdict").inner_text()
    assert icp.rubric.name in page.content()

    assert problems == []
