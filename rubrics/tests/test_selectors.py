import re

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from rubrics.demo import demo_rubric_ensure, demo_scores_write
from rubrics.selectors import customer_scores, version_spec
from rubrics.services.scores import scores_write
from rubrics.tests.factories import gated_rubric
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


def _gated_scores(**customers):
    version = gated_rubric()
    made = {name: CustomerFactory(name=name, **fields) for name, fields in customers.items()}
    scores_write(version=version, spec=version_spec(version), low_id=0, high_id=2**62)
    return version, made


def test_the_customer_page_says_a_must_have_needs_data_and_what_a_cap_took(client_as):
    _, made = _gated_scores(gap={"industry": "", "email_clicks_30d": 2, "website_visits_30d": 5})

    response = client_as(Role.SALES_REP).get(reverse("customers:detail", args=[made["gap"].pk]))

    body = response.content.decode()
    assert "Needs data: Industry (must-have)" in body
    assert "Engagement 6 points, capped at 4" in body
    [explained] = customer_scores(customer=made["gap"])
    shown = sum(o.points for o in explained.outcomes) + sum(c.cut for c in explained.capped_groups)
    assert explained.score.total == shown == 4
    assert re.search(r'data-testid="score-total">4<', body)


def test_the_customer_page_says_which_disqualifier_keeps_a_customer_out(client_as):
    rival = {"industry": "Software", "email_clicks_30d": 2, "website_visits_30d": 0, "extra": {"competitor": True}}
    _, made = _gated_scores(rival=rival)

    response = client_as(Role.SALES_REP).get(reverse("customers:detail", args=[made["rival"].pk]))

    body = response.content.decode()
    assert "Not qualified: disqualified by Competitor" in body
    assert "matched: disqualifies" in body
    [explained] = customer_scores(customer=made["rival"])
    assert (explained.score.total, explained.score.qualified) == (3, False)
