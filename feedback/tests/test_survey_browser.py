"""A customer answers the survey in a real browser: on a phone, with an expired or forged link, and by double click."""

import pytest

from customers.tests.factories import CustomerFactory
from feedback.models import Response
from feedback.sentiment import comment_sentiment
from feedback.tests.factories import invitation_for, survey_path, token_made_days_ago
from tests.support import wait_for

pytestmark = [pytest.mark.browser]

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def context_of(browser, live_server):
    """New browser contexts against the live server (a phone, no JavaScript, ...), closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def test_a_customer_answers_on_a_phone(transactional_db, context_of):
    invitation = invitation_for(CustomerFactory(name="Acme Cloud", nps=None))
    page = context_of(**PHONE).new_page()

    page.goto(survey_path(invitation))

    assert page.get_by_role("heading", name=invitation.survey.question).is_visible()
    assert page.get_by_text("For Acme Cloud").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "no sideways scrolling"
    buttons = page.locator("label.nps-button")
    assert buttons.all_inner_texts() == [str(score) for score in range(11)]
    for index in range(11):
        box = buttons.nth(index).bounding_box()
        assert box["width"] >= 44
        assert box["height"] >= 44
        assert box["x"] + box["width"] <= 375

    page.locator("label[for=score-9]").tap()
    page.get_by_label("What is the main reason for your score? (optional)").fill("Great support, love the reports.")
    page.get_by_role("button", name="Send my answer").tap()

    page.get_by_test_id("survey-thanks").wait_for()
    assert "We have your answer: 9" in page.get_by_test_id("survey-thanks").inner_text()
    assert page.locator("#score-9").is_checked(), "the answer can be changed in place"
    stored = Response.objects.get()
    assert (stored.customer_id, stored.score, stored.comment) == (
        invitation.customer_id,
        9,
        "Great support, love the reports.",
    )
    wait_for(lambda: Response.objects.get().sentiment is not None, what="the comment's sentiment")
    assert Response.objects.get().sentiment == comment_sentiment("Great support, love the reports.")


def test_an_expired_link_says_so_and_stores_nothing(transactional_db, context_of, settings):
    settings.FEEDBACK_LINK_MAX_AGE_DAYS = 30
    invitation = invitation_for()
    page = context_of(**PHONE).new_page()

    answer = page.goto(f"/s/{token_made_days_ago(invitation, 45)}/")

    assert answer.status == 410
    assert page.get_by_role("heading", name="This link has expired").is_visible()
    assert page.get_by_text("Nothing was recorded.").is_visible()
    assert page.locator("form").count() == 0
    assert not Response.objects.exists()


def test_a_forged_link_says_so_and_stores_nothing(transactional_db, context_of):
    invitation = invitation_for()
    path = survey_path(invitation)
    forged = path[:-6] + ("AAAAA" if path[-6:-1] != "AAAAA" else "BBBBB") + "/"
    page = context_of().new_page()

    answer = page.goto(forged)

    assert answer.status == 404
    assert page.get_by_role("heading", name="This link does not work").is_visible()
    assert page.locator("form").count() == 0
    assert not Response.objects.exists()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_double_submit_stores_one_answer(transactional_db, context_of, javascript):
    invitation = invitation_for()
    page = context_of(java_script_enabled=javascript).new_page()
    page.goto(survey_path(invitation))

    page.locator("label[for=score-7]").click()
    page.get_by_role("button", name="Send my answer").dblclick()

    page.get_by_test_id("survey-thanks").wait_for()
    assert "We have your answer: 7" in page.get_by_test_id("survey-thanks").inner_text()
    assert Response.objects.count() == 1
    assert Response.objects.get().score == 7
