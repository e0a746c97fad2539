import re

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from rubrics.demo import demo_rubric_ensure, demo_scores_write
from rubrics.selectors import customer_scores
from teams.models import Role

pytestmark = pytest.mark.django_db


def _scored_customer(**fields):
    customer = CustomerFactory(**fields)
    demo_scores_write(version=demo_rubric_ensure())
    return customer


def test_a_stored_score_is_explained_by_points_that_add_up_to_its_total():
    customer = _scored_customer(
        industry="Software", contact_titles="CFO", website_visits_30d=4, email_clicks_30d=None, has_public_review=None
    )

    [explained] = customer_scores(customer=customer)

    assert explained.score.total == sum(outcome.points for outcome in explained.matched)
    by_label = {outcome.criterion.label: outcome for outcome in explained.outcomes}
    assert (by_label["Industry match"].status, by_label["Industry match"].points) == ("matched", 3)
    assert by_label["Title match"].status == "missed"
    assert by_label["Website visits"].band.label == "low (1–9)"
    assert {outcome.criterion.label for outcome in explained.no_data} == {
        "Email clicks",
        "Comments (public review)",
        "Referrals",
    }


def test_the_customer_page_shows_each_score_and_its_breakdown(client_as):
    customer = _scored_customer(industry="Software", website_visits_30d=25)

    response = client_as(Role.SALES_REP).get(reverse("customers:detail", args=[customer.pk]))

    body = response.content.decode()
    [explained] = customer_scores(customer=customer)
    total = re.search(r'data-testid="score-total">(-?\d+)<', body)
    assert total, "the page shows the total"
    assert int(total.group(1)) == explained.score.total
    assert "high (10+)" in body
    assert "Core ICP: Lead score" in body
