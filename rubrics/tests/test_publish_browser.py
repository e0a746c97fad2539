"""An admin edits a draft, previews it, publishes it and watches the re-score, in a real browser with a real worker."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from rubrics import scoring
from rubrics.demo import demo_rubric_ensure, demo_scores_write
from rubrics.models import JobStatus, RescoreJob, Score
from rubrics.selectors import customer_attributes, version_spec
from teams.models import Role
from tests.support import browser_sign_in, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker]

NEW_THRESHOLD = 7


def test_an_admin_edits_previews_publishes_and_the_scores_follow(real_worker, page, make_person, settings):
    settings.RESCORE_CHUNK_SIZE = settings.RESCORE_FILL_CHUNK_SIZE = 10  # several chunks for the progress bar
    admin = make_person(Role.ADMIN, username="ops")
    industries = ["Software", "Retail", "Healthcare", "Energy"]
    customers = [
        CustomerFactory(industry=industries[n % 4], website_visits_30d=n % 13, email_opens_30d=n % 3, employees=20 + n)
        for n in range(60)
    ]
    published = demo_rubric_ensure()
    demo_scores_write(version=published)
    spec = version_spec(published)
    newly = [
        c for c in customers if NEW_THRESHOLD <= scoring.score(spec, customer_attributes(c)).total < spec.threshold
    ]
    assert newly, "some customers sit between the new and the old threshold"
    browser_sign_in(page, admin)

    page.goto(reverse("rubrics:rubric_detail", args=[published.rubric_id]))
    page.get_by_role("button", name="Start a new draft").click()
    page.locator("input[name=threshold]").fill(str(NEW_THRESHOLD))
    page.get_by_role("button", name="Save settings").click()
    # A property check, not wait_for_function("..."): that evaluates a string, which the site's CSP refuses.
    expect(page.locator("input[name=threshold]")).to_have_js_property("defaultValue", str(NEW_THRESHOLD))

    page.get_by_role("link", name="Preview on the customer base").click()
    expected = sum(scoring.score(spec, customer_attributes(c)).total >= NEW_THRESHOLD for c in customers)
    assert page.get_by_test_id("qualified").inner_text().strip() == str(expected)
    page.go_back()

    page.get_by_role("button", name=re.compile(r"Publish v2")).click()
    page.wait_for_url(re.compile(r".*/rubrics/jobs/\d+/$"))
    page.get_by_text("customers scored by v2").wait_for(timeout=30_000)

    job = RescoreJob.objects.get(version__number=2)
    assert (job.status, job.chunks_done, job.chunks_total, job.rows_total) == (JobStatus.DONE, 6, 6, 60)
    wait_for(lambda: Score.objects.filter(version__number=2).count() == 60, what="every score by v2")
    target = newly[0]
    page.goto(reverse("customers:detail", args=[target.pk]))
    assert page.get_by_text("by version 2").is_visible()
    assert page.locator(".badge", has_text=re.compile(r"^qualified$")).is_visible()
