"""Each analytics page opens with one sentence that says what it found, from its own figures.

The planted base (industry Software earns the 3 points the threshold asks for):

| who | customers | churned | won | lost |
|---|---|---|---|---|
| fit (Software) | 5 | 1 | 3 | 1 |
| not fit (Retail) | 4 | 2 | 1 | 3 |

By hand: churn 1/5 = 20% against 2/4 = 50%, (50 - 20) / 50 = 60% less. The AUC over the 4 won and 4 lost
deals: of the 16 (won, lost) pairs, 9 rank the won deal higher (3 fit won × 3 not-fit lost), 6 tie (3 × 1
at 3 points, 1 × 3 at 0) and 1 ranks it lower: (9 + 6 / 2) / 16 = 75%.
"""

import pytest
from django.urls import reverse

from analytics.headlines import segments_headline, traits_headline
from analytics.trait_types import Attribute, Basis, Discovery, Trait
from customers.tests.factories import CustomerFactory
from profiles.models import Profile
from rubrics.models import Criterion, Rubric, RubricVersion
from rubrics.selectors import version_spec
from rubrics.services.scores import scores_write
from teams.models import Role

pytestmark = pytest.mark.django_db

# (industry, lifecycle stage, deal outcome)
PLANTED = [
    ("Software", "customer", "won"),
    ("Software", "customer", "won"),
    ("Software", "customer", "won"),
    ("Software", "customer", "lost"),
    ("Software", "churned", ""),
    ("Retail", "customer", "won"),
    ("Retail", "customer", "lost"),
    ("Retail", "churned", "lost"),
    ("Retail", "churned", "lost"),
]


def _icp(rows) -> Rubric:
    rubric = Rubric.objects.create(profile=Profile.objects.create(name="Mid-market SaaS"), name="Fit")
    version = RubricVersion.objects.create(rubric=rubric, number=1, threshold=3, status="published")
    Criterion.objects.create(
        version=version, label="Software company", field="industry", operator="in", values=["Software"], points=3
    )
    for industry, stage, outcome in rows:
        CustomerFactory(industry=industry, lifecycle_stage=stage, deal_outcome=outcome)
    scores_write(version=version, spec=version_spec(version), low_id=0, high_id=10**9)
    return rubric


def _headline(client, name, rubric) -> str:
    response = client.get(reverse(name, args=[rubric.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index('data-testid="headline"') < html.index("<table")  # it opens the page
    return response.context["headline"]


def test_the_segments_page_says_how_much_less_the_customers_who_fit_churned(client_as):
    rubric = _icp(PLANTED)

    headline = _headline(client_as(Role.MEMBER), "analytics:segments", rubric)

    assert headline == "Customers who fit the ICP churned 60% less than the others (20% against 50%)."


def test_the_accuracy_page_says_how_often_the_score_ranks_a_won_deal_first(client_as):
    rubric = _icp(PLANTED)

    headline = _headline(client_as(Role.MEMBER), "analytics:accuracy", rubric)

    assert headline == (
        "The score of v1 (published) ranks a won deal above a lost one 75% of the time (8 decided deals): "
        "it separates good customers from the others."
    )


def test_the_segments_page_compares_conversion_when_nobody_is_a_customer_yet(client_as):
    # Fit: 2 won of 3 decided (67%); not fit: 1 of 4 (25%); (67 - 25) / 25 = 167% more.
    rows = [("Software", "opportunity", outcome) for outcome in ("won", "won", "lost")]
    rows += [("Retail", "opportunity", outcome) for outcome in ("won", "lost", "lost", "lost")]
    rubric = _icp(rows)

    headline = _headline(client_as(Role.MEMBER), "analytics:segments", rubric)

    assert (
        headline == "Accounts that fit the ICP won 167% more of their decided deals than the others (67% against 25%)."
    )


@pytest.mark.parametrize(
    ("rows", "sentence"),
    [
        ([], "No customer is scored by this version yet, so there is nothing to compare."),
        (
            [("Retail", "customer", "")],
            "No customer fits the ICP yet (a score of 3 or more), so there is nothing to compare.",
        ),
        (
            [("Software", "customer", "")],
            "Every scored customer fits the ICP, so there is no one to compare them with.",
        ),
        (
            [("Software", "lead", ""), ("Retail", "prospect", "")],
            "Neither those who fit the ICP nor the others have enough churn or deal outcomes yet to compare them.",
        ),
    ],
)
def test_the_segments_sentence_says_why_there_is_nothing_to_compare(rows, sentence):
    from analytics.segments import segments_compare

    rubric = _icp(rows)

    assert segments_headline(segments_compare(rubric=rubric, version=rubric.versions.get())) == sentence


def test_the_accuracy_page_says_when_there_are_no_decided_deals(client_as):
    rubric = _icp([("Software", "customer", ""), ("Retail", "customer", "won")])

    headline = _headline(client_as(Role.MEMBER), "analytics:accuracy", rubric)

    assert headline == (
        "There are not yet both won and lost deals among the scored customers, so the score cannot be checked."
    )


def _trait(field, value, best, everyone, q_value):
    return Trait(Attribute(field, "category"), value, value, best, everyone, 40, 400, q_value=q_value, p_value=q_value)


def test_the_best_customers_sentence_names_how_many_traits_and_the_strongest():
    # Of the 40 best among 400: Software 30 of them against 100 of all (75% against 25%, 3 times as common),
    # Germany 20 against 100 (50% against 25%, twice), Retail 2 against 100 (not significant).
    basis = Basis("clv", "Highest CLV", "customers")
    traits = [
        _trait("industry", "Software", 30, 100, 0.001),
        _trait("country", "Germany", 20, 100, 0.01),
        _trait("industry", "Retail", 2, 100, 0.4),
    ]
    discovery = Discovery(basis=basis, top=10, cut=None, best_total=40, everyone_total=400, traits=traits)

    assert traits_headline(discovery) == (
        "2 traits set the 40 best customers apart; the strongest is industry: Software (75% of them against 25% "
        "of all 400 customers)."
    )
    discovery = Discovery(basis=basis, top=10, cut=None, best_total=40, everyone_total=400, traits=traits[2:])
    assert traits_headline(discovery) == (
        "No trait sets the 40 best customers apart from all 400 customers: none is clearly more or less common "
        "among them."
    )


def test_the_best_customers_page_opens_with_its_sentence(client_as, icp):
    response = client_as(Role.MEMBER).get(reverse("analytics:traits", args=[icp.rubric.pk]))

    html = response.content.decode()
    assert response.context["headline"] == traits_headline(response.context["discovery"])
    assert html.index('data-testid="headline"') < html.index("<table")
