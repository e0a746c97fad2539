"""A facilitator works on a profile in a real browser: the history opens and an edit saves in place (htmx)."""

import pytest
from django.urls import reverse

from profiles.models import ItemStatus, ProfileItem
from profiles.tests.factories import make_item, make_profile
from teams.models import Role
from tests.support import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_facilitator_reads_the_history_edits_and_agrees_in_place(page, make_person):
    facilitator = make_person(Role.FACILITATOR)
    profile = make_profile(name="Mid-market")
    item = make_item(profile, text="<b>Slow</b> onboarding")
    browser_sign_in(page, facilitator)
    page.goto(reverse("profiles:detail", kwargs={"profile_id": profile.pk}))
    row = page.locator(f"#item-{item.pk}")

    row.locator("summary", has_text="History").click()
    row.locator(".history").wait_for()
    row.get_by_role("link", name="Edit").click()
    page.locator(f"#item-{item.pk} textarea").fill("Onboarding takes months")
    page.locator(f"#item-{item.pk}").get_by_role("button", name="Save").click()
    page.locator(f"#item-{item.pk}", has_text="Onboarding takes months").wait_for()
    page.locator(f"#item-{item.pk}").get_by_role("button", name="Agree").click()
    page.locator(f"#item-{item.pk} .badge", has_text="Agreed").wait_for()

    saved = ProfileItem.objects.get(pk=item.pk)
    assert (saved.text, saved.status) == ("Onboarding takes months", ItemStatus.AGREED)
    assert page.url.endswith(reverse("profiles:detail", kwargs={"profile_id": profile.pk})), "no reload"
