"""Every main page, with the demo's data, passes axe-core (no serious or critical violation) and fits a phone.

The demo base is loaded once for the module and each role signs in once (one browser context per role and
screen), so every page is its own test and the module stays quick. The pages only read: nothing a test does
changes what another sees. Afterwards the database is as the module found it.
"""

import contextlib

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import modify_settings, override_settings
from django.urls import reverse
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from icpsite.celery import app as celery_app
from tests.browsing import PHONE, axe_problems

# django_db: so that pytest-django makes the test database (the tests only read it; the demo fixture fills it).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PASSWORD = "correct horse battery"
# Demo people (teams.services.DEMO_PEOPLE) by role; None is someone not signed in.
PEOPLE = {"admin": "admin", "facilitator": "facilitator", "member": "success", "rep": "rep", None: None}


def _path(name, *keys):
    """A page's path: the URL name, and the demo objects (keys of ``demo``) that go in it."""
    return lambda demo: reverse(name, args=[demo[key] for key in keys])


# page: (who, path, status, what shows once the page is complete, when htmx loads part of it)
PAGES = {
    "sign-in": (None, _path("login"), 200, None),
    "home-admin": ("admin", _path("home"), 200, None),
    "home-facilitator": ("facilitator", _path("home"), 200, None),
    "home-member": ("member", _path("home"), 200, None),
    "home-rep": ("rep", _path("home"), 200, None),
    "profiles": ("member", _path("profiles:list"), 200, None),
    "profile": ("member", _path("profiles:detail", "profile"), 200, None),
    "workshops": ("member", _path("workshops:list"), 200, None),
    "workshop-new": ("facilitator", _path("workshops:create"), 200, None),
    "workshop-step": ("member", _path("workshops:step", "step"), 200, None),
    "workshop-board": ("facilitator", _path("workshops:board", "step"), 200, None),
    # The scoring step: the rubric it feeds with each criterion's evidence, and the suggested weights.
    "workshop-scoring-step": (
        "member",
        _path("workshops:step", "scoring"),
        200,
        "[data-testid=suggested-weights]",
    ),
    "workshop-agenda": ("facilitator", _path("workshops:agenda", "workshop"), 200, None),
    "workshop-people": ("facilitator", _path("workshops:people", "workshop"), 200, None),
    "workshop-summary": ("facilitator", _path("workshops:summary", "workshop"), 200, None),
    "workshop-comment": ("member", _path("workshops:comment", "proposal"), 200, None),
    "rubrics": ("admin", _path("rubrics:list"), 200, None),
    "rubric": ("admin", _path("rubrics:rubric_detail", "rubric"), 200, None),
    "draft-editor": ("admin", _path("rubrics:version_detail", "draft"), 200, None),
    "draft-preview": ("admin", _path("rubrics:version_preview", "draft"), 200, None),
    "rubric-diff": ("admin", _path("rubrics:version_diff", "rubric"), 200, None),
    "job-history": ("admin", _path("rubrics:job_list", "rubric"), 200, None),
    "job": ("admin", _path("rubrics:job_detail", "job"), 200, None),
    "customers": ("member", _path("customers:list"), 200, None),
    # With its similar accounts (the demo builds them), a panel htmx loads.
    "customer": ("admin", _path("customers:detail", "lead"), 200, "[data-testid=similar-accounts]"),
    "customer-edit": ("admin", _path("customers:edit", "lead"), 200, None),
    "customer-import": ("admin", _path("customers:imports"), 200, None),
    "category-spellings": ("admin", _path("customers:categories"), 200, None),
    "similar-accounts": (
        "rep",
        lambda demo: reverse("lookalikes:search") + "?seed=won&prospects=on",
        200,
        "[data-testid=lookalikes]",
    ),
    "similar-accounts-weights": ("member", _path("lookalikes:weights"), 200, None),
    "leads-of-a-rep": ("rep", _path("leads:list"), 200, "#lead-matrix table"),
    "leads-of-everyone": ("admin", _path("leads:list"), 200, "#lead-matrix table"),
    "lead": ("rep", _path("leads:detail", "rubric", "lead"), 200, None),
    "lead-matrix": ("rep", _path("leads:matrix"), 200, None),
    "disqualifications": ("admin", _path("leads:disqualifications", "rubric"), 200, None),
    "surveys": ("member", _path("feedback:surveys"), 200, None),
    "survey": ("member", _path("feedback:survey_detail", "survey"), 200, None),
    "feedback-inbox": ("member", _path("feedback:responses"), 200, None),
    "referrals": ("member", _path("feedback:referrals"), 200, None),
    "advocacy": ("member", _path("feedback:advocacy"), 200, None),
    "at-risk": ("rep", _path("feedback:at_risk"), 200, None),
    "feedback-import": ("admin", _path("feedback:import"), 200, None),
    "survey-answer": (None, lambda demo: demo["survey_path"], 200, None),
    "analytics": ("facilitator", _path("analytics:index"), 200, None),
    "segments": ("facilitator", _path("analytics:segments", "rubric"), 200, None),
    "accuracy": ("facilitator", _path("analytics:accuracy", "rubric"), 200, None),
    "traits": ("facilitator", _path("analytics:traits", "rubric"), 200, None),
    "webhooks": ("admin", _path("webhooks:list"), 200, None),
    "lead-routing": ("admin", _path("routing:rules"), 200, None),
    "away": ("rep", _path("routing:away"), 200, None),
    "webhook": ("admin", _path("webhooks:detail", "rubric"), 200, None),
    "people": ("admin", _path("teams:people"), 200, None),
    "person-new": ("admin", _path("teams:person_new"), 200, None),
    "api-tokens": ("member", _path("teams:api_tokens"), 200, None),
    "password-change": ("member", _path("password_change"), 200, None),
    "not-allowed": ("rep", _path("rubrics:list"), 403, None),
    "not-found": (None, lambda demo: "/no/such/page/", 404, None),
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo base (as `make demo` loads it, smaller) and a few more things for the pages to show, served by
    a live server of the module's own. The database is left as it was found (with its migrations' rows).

    Not pytest-django's live_server: that one makes every test transactional, emptying the base after each.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        _tasks_in_process(),
    ):
        found = connection.creation.serialize_db_to_string()
        try:
            objects = _demo_objects()
            server = LiveServer("localhost")
            try:
                with modify_settings(ALLOWED_HOSTS={"append": "localhost"}):
                    yield {**objects, "url": server.url}
            finally:
                server.stop()
        finally:
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(found)


@contextlib.contextmanager
def _tasks_in_process():
    """As the root conftest's fixture does for each test: the demo's tasks run at once, without a broker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


def _demo_objects() -> dict:
    from customers.models import Customer
    from feedback.models import Survey
    from feedback.tests.factories import invitation_for, survey_path
    from imports.services import import_upload
    from rubrics.models import Rubric, Score
    from rubrics.services.drafts import draft_create
    from rubrics.services.rescoring import rescore_job_create
    from teams.models import User
    from teams.services import api_token_create
    from webhooks.services.webhooks import webhook_save
    from workshops.models import Step, StepStatus

    call_command("seed_demo", customers=300, verbosity=0)
    people = {username: User.objects.get(username=username) for username in filter(None, PEOPLE.values())}
    for person in people.values():
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    rubric = Rubric.objects.get()
    published = rubric.versions.get(status="published")
    job = rescore_job_create(version=published, reason="manual", user=people["admin"])
    draft = draft_create(rubric=rubric, user=people["admin"])
    lead = Score.objects.filter(rubric=rubric, qualified=True, customer__owner=people["rep"]).first()
    step = Step.objects.get(status=StepStatus.OPEN)
    scoring = Step.objects.get(workshop=step.workshop, kind="weights")
    proposal = step.proposals.filter(status="proposed").first()
    survey = Survey.objects.get()
    unasked = Customer.objects.filter(survey_invitations=None).first()
    webhook_save(rubric=rubric, url="https://crm.invalid/hooks", is_active=True, user=people["admin"])
    api_token_create(user=people["success"], name="Spreadsheet")
    import_upload(
        kind="customers", file=ContentFile(b"Record ID,Company name\nA-1,Alpha\n"), name="crm.csv", user=people["admin"]
    )
    return {
        "rubric": rubric.pk,
        "draft": draft.pk,
        "job": job.pk,
        "lead": lead.customer_id,
        "profile": rubric.profile_id,
        "step": step.pk,
        "scoring": scoring.pk,
        "proposal": proposal.pk,
        "workshop": step.workshop_id,
        "survey": survey.pk,
        "survey_path": survey_path(invitation_for(unasked, survey=survey)),
    }


@pytest.fixture(scope="module")
def sessions(browser, demo):
    """Each role signed in once, through the sign-in page: the browser's cookies, by role."""
    states = {None: {"cookies": [], "origins": []}}
    for who, username in PEOPLE.items():
        if username:
            context = browser.new_context(base_url=demo["url"])
            page = context.new_page()
            page.goto(reverse("login"))
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(demo["url"] + reverse("home"))
            states[who] = context.storage_state()
            context.close()
    return states


def _pages(browser, demo, sessions, **options):
    """A page per role, signed in, each in a browser context of its own."""
    contexts = {
        who: browser.new_context(base_url=demo["url"], storage_state=state, **options)
        for who, state in sessions.items()
    }
    for context in contexts.values():
        context.set_default_timeout(10_000)
    yield {who: context.new_page() for who, context in contexts.items()}
    for context in contexts.values():
        context.close()


@pytest.fixture(scope="module")
def desktop(browser, demo, sessions):
    """A page signed in as each role, on a laptop's screen (Playwright's default, 1280×720)."""
    yield from _pages(browser, demo, sessions)


@pytest.fixture(scope="module")
def phone(browser, demo, sessions):
    """A page signed in as each role, on a phone (375×667, touch)."""
    yield from _pages(browser, demo, sessions, **PHONE)


def _open(pages, demo, name):
    who, path, status, ready = PAGES[name]
    page = pages[who]
    response = page.goto(path(demo))
    assert response.status == status, f"{name} answered {response.status}"
    if ready:
        page.locator(ready).wait_for()
    return page


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_problem(desktop, demo, name):
    page = _open(desktop, demo, name)

    problems = axe_problems(page)

    assert not problems, f"axe-core on {page.url}:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", PAGES)
def test_the_page_fits_a_phone_screen(phone, demo, name):
    page = _open(phone, demo, name)

    # A page wider than the screen: a phone's browser widens its layout to it (the window too), and zooms out.
    width = page.evaluate("document.documentElement.scrollWidth")
    wider = page.evaluate(
        """limit => [...document.body.querySelectorAll("*")]
          .filter(element => element.getBoundingClientRect().right > limit && !element.closest(".table-responsive"))
          .map(element => element.tagName.toLowerCase() + "." + [...element.classList].join("."))
          .slice(0, 5)""",
        PHONE["viewport"]["width"] + 1,
    )
    assert width <= PHONE["viewport"]["width"], f"{name} is {width}px wide, it scrolls sideways: {wider}"


@pytest.mark.parametrize("who", ["admin", "facilitator", "member", "rep"])
def test_the_menu_opens_on_a_phone(phone, demo, who):
    page = phone[who]
    page.goto(reverse("home"))
    menu = page.get_by_test_id("main-menu")
    workshops = menu.get_by_role("link", name="Workshops")
    expect(workshops).to_be_hidden()

    page.get_by_role("button", name="Toggle navigation").tap()

    expect(workshops).to_be_visible()
    expect(workshops).to_be_in_viewport()
    workshops.tap()
    page.wait_for_url("**" + reverse("workshops:list"))
