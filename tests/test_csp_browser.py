"""Every main page, in a real browser under the site's own Content-Security-Policy, breaks none of it.

An admin signs in through the sign-in page and visits each page; the browser reports each CSP violation as a
`securitypolicyviolation` event (and a console error). htmx must keep working: a search and a proposal are
swapped in by htmx on the way.
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from rubrics.models import RubricVersion, Score
from rubrics.selectors import version_spec
from rubrics.services.scores import scores_write
from rubrics.tests.factories import next_draft, rubric_with_draft
from teams.models import Role
from workshops.tests.factories import open_step_for

pytestmark = [pytest.mark.browser]

# Runs in every page before its own scripts: hands each violation the browser reports to the test.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || location.pathname}:${event.lineNumber}`);
});
"""


@pytest.fixture
def admin_with_a_base(transactional_db, make_person):
    """An admin, and something on every main page: customers, a published rubric with leads, a draft,
    a workshop step the admin runs, a survey."""
    from feedback.models import Survey
    from profiles.tests.factories import make_item

    admin = make_person(Role.ADMIN, username="ada")
    for number in range(12):
        CustomerFactory(industry="Software" if number % 2 else "Retail", owner=None)
    published = rubric_with_draft(industries=("Software",), threshold=1)
    RubricVersion.objects.filter(pk=published.pk).update(status="published")
    scores_write(version=published, spec=version_spec(published), low_id=0, high_id=2**62)
    draft = next_draft(published.rubric, industries=("Software", "Retail"), threshold=2)
    lead = Score.objects.filter(rubric=published.rubric, qualified=True).first()
    step = open_step_for(admin)
    make_item(published.rubric.profile, author=admin)
    survey = Survey.objects.create(name="Q1 NPS")
    rubric_id, profile_id = published.rubric_id, published.rubric.profile_id
    pages = [
        reverse("home"),
        reverse("customers:list"),
        reverse("customers:detail", args=[lead.customer_id]),
        reverse("customers:edit", args=[lead.customer_id]),
        reverse("customers:imports"),
        reverse("leads:list"),
        reverse("leads:detail", args=[rubric_id, lead.customer_id]),
        reverse("leads:disqualifications", args=[rubric_id]),
        reverse("rubrics:list"),
        reverse("rubrics:rubric_detail", args=[rubric_id]),
        reverse("rubrics:version_detail", args=[draft.pk]),
        reverse("rubrics:version_preview", args=[draft.pk]),
        reverse("rubrics:version_diff", args=[rubric_id]),
        reverse("profiles:list"),
        reverse("profiles:detail", args=[profile_id]),
        reverse("profiles:print", args=[profile_id]),
        reverse("workshops:list"),
        reverse("workshops:step", args=[step.pk]),
        reverse("workshops:board", args=[step.pk]),
        reverse("feedback:surveys"),
        reverse("feedback:survey_detail", args=[survey.pk]),
        reverse("feedback:responses"),
        reverse("feedback:referrals"),
        reverse("feedback:advocacy"),
        reverse("feedback:at_risk"),
        reverse("feedback:import"),
        reverse("analytics:index"),
        reverse("analytics:segments", args=[rubric_id]),
        reverse("analytics:accuracy", args=[rubric_id]),
        reverse("analytics:traits", args=[rubric_id]),
        reverse("teams:people"),
        reverse("teams:api_tokens"),
        reverse("webhooks:list"),
        reverse("password_change"),
        reverse("api:docs"),
    ]
    return admin, pages, step


def _watch(page) -> list[str]:
    """What goes wrong in ``page`` from now on, across navigations: CSP violations, console errors, page errors."""
    problems = []

    def console(message):
        url = message.location.get("url", "")
        if message.type == "error":  # a missing favicon included: every page names its icon
            problems.append(f"console: {message.text} ({url})")

    page.expose_function("reportCspViolation", lambda text: problems.append(f"violation: {text}"))
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


def _sign_in(page, username):
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))


def test_the_main_pages_break_no_rule_of_the_policy(page, admin_with_a_base):
    admin, pages, _ = admin_with_a_base
    problems = _watch(page)
    _sign_in(page, admin.username)
    assert problems == [], "the sign-in page"

    found = {}
    for path in pages:
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        # Not "networkidle": a live page polls every 0.3 s, so its network is never idle. 0.4 s covers its
        # scripts and a poll.
        page.wait_for_load_state("load")
        page.wait_for_timeout(400)
        if problems:
            found[path] = problems[:]
            problems.clear()

    assert found == {}


def test_htmx_still_swaps_under_the_policy(page, admin_with_a_base):
    admin, _, step = admin_with_a_base
    problems = _watch(page)
    _sign_in(page, admin.username)

    page.goto(reverse("customers:list"))
    page.get_by_label("Search", exact=True).fill("no such customer anywhere")
    expect(page.locator("#customer-results")).to_contain_text("No customers match")

    page.goto(reverse("workshops:step", args=[step.pk]))
    form = page.get_by_test_id("propose-form")
    form.get_by_label("Section").select_option(label="Pain points")
    form.get_by_label("Your proposal").fill("Quarter-end forecasts are guesses")
    form.get_by_role("button", name="Propose").click()
    expect(page.get_by_text("Quarter-end forecasts are guesses")).to_be_visible()
    expect(page.get_by_test_id("propose-form").get_by_label("Your proposal")).to_have_value("")

    # The rubric editor: a criterion's edit form swapped in, a rule typed (its evidence follows), the form saved.
    draft = RubricVersion.objects.filter(status="draft").get()
    page.goto(reverse("rubrics:version_detail", args=[draft.pk]))
    page.get_by_role("link", name="Edit").first.click()
    save = page.get_by_role("button", name="Save the criterion")
    edit_form = page.locator("form").filter(has=save)
    edit_form.get_by_label("Operator").select_option(label="falls in a band")
    edit_form.get_by_label("Operator").select_option(label="is one of")
    edit_form.get_by_role("spinbutton", name="Points", exact=True).fill("2")
    save.click()
    expect(save).to_have_count(0)
    page.wait_for_load_state("networkidle")

    assert problems == []


def test_the_pages_anyone_may_reach_break_no_rule_either(page, transactional_db, make_person):
    """The public survey link, the sign-in page's lockout, and an error page."""
    from feedback.tests.factories import invitation_for, survey_path

    make_person(Role.MEMBER, username="sam")
    problems = _watch(page)

    page.goto(survey_path(invitation_for()))
    expect(page.locator("label[for=score-9]")).to_be_visible()
    assert page.goto("/no/such/page/").status == 404
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(reverse("login"))
        page.get_by_label("Username").fill("sam")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("lockout")).to_contain_text("You can try again at")

    # The 404 and the lockout's 429 are logged as failed loads: only what the policy refused counts here.
    assert [problem for problem in problems if "violation" in problem or "Content Security Policy" in problem] == []
