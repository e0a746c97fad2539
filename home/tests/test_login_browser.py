"""A person signs in through a real browser and lands on their role's home page."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_people(settings):
    settings.DEBUG = True  # demo passwords are only set, and printed, in development
    call_command("seed_demo", "--customers", "200", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False


@pytest.mark.parametrize(
    ("username", "heading", "navigation"),
    [
        ("rep", "Your accounts", ["Home", "Customers", "Profiles", "Workshops", "Leads", "At risk", "Away"]),
        (
            "admin",
            "Admin home",
            [
                "Home",
                "Customers",
                "Profiles",
                "Workshops",
                "Leads",
                "People",
                "Rubrics",
                "Webhooks",
                "Routing",
                "Analytics",
                "Feedback",
                "At risk",
            ],
        ),
        ("facilitator", "Facilitator home", ["Home", "Customers", "Profiles", "Workshops", "Analytics"]),
        ("marketing", "Your workshop home", ["Home", "Customers", "Profiles", "Workshops", "Analytics"]),
    ],
)
def test_it_signs_a_demo_person_in_to_their_home(page, demo_people, username, heading, navigation):
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/")

    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("icp-demo")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("heading", name=heading).wait_for()
    assert page.get_by_test_id("main-menu").get_by_role("link").all_inner_texts() == navigation
    if username == "rep":
        assert page.get_by_test_id("top-accounts").locator("tbody tr").count() == 10


def test_it_shows_a_clear_message_for_a_wrong_password(page, demo_people):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("rep")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()

    assert page.get_by_text("Please enter a correct username and password").is_visible()
