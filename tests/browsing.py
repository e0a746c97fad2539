"""What the accessibility, keyboard and phone tests share: axe-core, signing in, and the keyboard's focus."""

import functools
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")
PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}


@functools.cache
def axe_source() -> str:
    """axe-core's script, as `make install` put it (npm ci, from package-lock.json). Missing, the test fails."""
    if not AXE.exists():
        pytest.fail(
            f"axe-core is not installed ({AXE} is missing): run `make install`, which needs Node.js and npm "
            "(Debian: apt-get install nodejs npm) and installs it with `npm ci`."
        )
    return AXE.read_text()


def axe_problems(page) -> list[str]:
    """axe-core's serious and critical findings on the page: the rule, its help and where, one line each."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol: the site's Content-Security-Policy forbids an inline <script>,
        # so Playwright's add_script_tag is refused.
        page.evaluate(axe_source())
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    return [
        f"{violation['impact']} {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        + "".join(f"\n    at {_where(node)}" for node in violation["nodes"])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


def _where(node) -> str:
    """An element axe-core faults, and why (for contrast: the colours and the ratio found)."""
    selector = " ".join(map(str, node["target"]))
    why = " ".join(line.strip() for line in (node.get("failureSummary") or "").splitlines()[1:2])
    return f"{selector}: {why}" if why else selector


def signed_in_context(browser, base_url: str, person, **options):
    """A browser context signed in as ``person`` (or no one, for None), with the session cookie of Django's test
    client's force_login."""
    if person is None:
        context = browser.new_context(base_url=base_url, **options)
        context.set_default_timeout(10_000)
        return context
    client = Client()
    client.force_login(person)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": base_url}])
    return context


@contextmanager
def pages_as(browser, base_url: str, **options):
    """``open_as(person, path)``: a new page at ``path``, signed in as the person (or no one); all closed after."""
    contexts = []

    def open_as(person, path):
        context = signed_in_context(browser, base_url, person, **options)
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        return page

    try:
        yield open_as
    finally:
        for context in contexts:
            context.close()


FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    element: `${element.tagName.toLowerCase()} "${(element.innerText || element.value || element.name || "").trim()}"`,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
  };
}"""


def assert_focus_visible(page) -> None:
    """The focused element shows it: an outline or a ring (box-shadow) drawn by the focus style."""
    focused = page.evaluate(FOCUSED)
    assert focused["outline"] or focused["shadow"], f"no visible focus on {focused['element']}"


def tab_to(page, target, *, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until ``target`` (a locator) has the focus, at most ``limit`` times.

    Fails, naming the elements the focus went through, if the target is never reached: it is not in the tab order.
    """
    key = "Shift+Tab" if backwards else "Tab"
    visited = []
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate("element => element === document.activeElement"):
            assert_focus_visible(page)
            return
        visited.append(page.evaluate(FOCUSED)["element"])
    pytest.fail(f"{limit} presses of {key} never reached {target}; the focus went through: {visited}")
