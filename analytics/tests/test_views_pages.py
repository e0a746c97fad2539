"""The analytics pages: who sees them, what they show, and a clear 4xx for a wrong rubric or parameter."""

import pytest
from django.urls import reverse

from profiles.models import Profile
from rubrics.models import Rubric, RubricVersion
from teams.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FACILITATOR, Role.MEMBER])
def test_it_lists_the_icps_to_analyse(client_as, icp, role):
    response = client_as(role).get(reverse("analytics:index"))

    assert response.status_code == 200
    assert reverse("analytics:accuracy", args=[icp.rubric.pk]) in response.content.decode()


def test_it_keeps_sales_reps_out(client_as, icp):
    client = client_as(Role.SALES_REP)

    for name in ("analytics:segments", "analytics:accuracy", "analytics:traits"):
        assert client.get(reverse(name, args=[icp.rubric.pk])).status_code == 403


def test_it_shows_the_segments_with_their_chart_data_and_no_inline_script(client_as, icp):
    response = client_as(Role.MEMBER).get(reverse("analytics:segments", args=[icp.rubric.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert [segment.key for segment in response.context["compared"].segments][:3] == ["all", "fit", "not_fit"]
    assert 'data-testid="segment-fit"' in html
    assert 'id="analytics-charts" type="application/json"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "<script>" not in html  # every script is a static file (the CSP refuses inline ones)


def test_it_shows_the_accuracy_with_the_auc_and_the_comparison(client_as, icp):
    response = client_as(Role.FACILITATOR).get(reverse("analytics:accuracy", args=[icp.rubric.pk]))

    accuracy = response.context["accuracy"]
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{accuracy.published.auc.value:.3f}" in html
    assert accuracy.other.version == icp.retired
    assert "v2 (published)</strong> separates won from lost deals better" in html


def test_it_compares_with_the_version_asked_for(client_as, icp):
    draft = RubricVersion.objects.create(rubric=icp.rubric, number=3, threshold=0)

    response = client_as(Role.ADMIN).get(reverse("analytics:accuracy", args=[icp.rubric.pk]), {"against": draft.pk})

    assert response.context["accuracy"].other.version == draft


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("analytics:accuracy", {"against": "999999"}, "Not a version of this rubric other than the published one."),
        ("analytics:accuracy", {"against": "abc"}, "Not a version of this rubric other than the published one."),
        ("analytics:traits", {"best": "luck"}, "Choose one of: clv, tenure, nps, won, exemplars."),
        ("analytics:traits", {"top": "80"}, "Ensure this value is less than or equal to 50."),
        ("analytics:traits", {"top": "ten"}, "Enter a whole number."),
    ],
)
def test_it_answers_a_bad_parameter_with_400_and_says_why(client_as, icp, name, params, message):
    response = client_as(Role.MEMBER).get(reverse(name, args=[icp.rubric.pk]), params)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_it_refuses_the_published_version_as_its_own_comparison(client_as, icp):
    url = reverse("analytics:accuracy", args=[icp.rubric.pk])

    response = client_as(Role.MEMBER).get(url, {"against": icp.published.pk})

    assert response.status_code == 400


@pytest.mark.parametrize("name", ["analytics:segments", "analytics:accuracy", "analytics:traits"])
def test_it_answers_an_unknown_rubric_with_404_and_says_why(client_as, db, name):
    unpublished = Rubric.objects.create(profile=Profile.objects.create(name="Draft only"), name="Fit")
    RubricVersion.objects.create(rubric=unpublished, number=1, threshold=0)
    client = client_as(Role.MEMBER)

    unknown = client.get(reverse(name, args=[987654]))
    draft_only = client.get(reverse(name, args=[unpublished.pk]))
    huge = client.get(reverse(name, args=[2**64]))

    assert unknown.status_code == 404
    assert "There is no rubric with this id." in unknown.content.decode()
    assert draft_only.status_code == 404
    assert "has no published version yet" in draft_only.content.decode()
    assert huge.status_code == 404


def test_it_shows_the_best_customers_traits_and_suggestions(client_as, icp):
    response = client_as(Role.MEMBER).get(reverse("analytics:traits", args=[icp.rubric.pk]), {"best": "won"})

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["discovery"].traits[0].attribute.field in ("industry", "employees")
    assert "industry is one of" in html
    assert "Add to the rubric draft" not in html  # members read; they do not send


def test_it_shows_the_sets_bands_and_pairs_with_their_population(client_as, icp):
    response = client_as(Role.MEMBER).get(reverse("analytics:traits", args=[icp.rubric.pk]), {"best": "won"})

    html = response.content.decode()
    discovery = response.context["discovery"]
    band = next(trait for trait in discovery.combined if trait.attribute.field == "employees")
    assert 'among <strong data-testid="population-count">3,000</strong>' in html
    assert "decided deals (won or lost)" in html
    assert "one of Software, Healthcare" in html
    assert f"between {band.key.low:,} and {band.key.high:,}" in html
    assert html.count('data-testid="pair"') == len(discovery.significant_pairs) == 1
    assert "matter more together" in html
    assert f"Among the best (n = {discovery.best_total:,})" in html


def test_it_shows_what_the_best_also_show_apart_among_customers(client_as, icp):
    response = client_as(Role.MEMBER).get(reverse("analytics:traits", args=[icp.rubric.pk]), {"best": "clv"})

    html = response.content.decode()
    also_show = html[html.index('data-testid="after-the-sale"') :]
    assert "customers (current and churned) with a CLV" in html
    assert "lifecycle stage" in also_show
    assert "lifecycle stage" not in html[: html.index('data-testid="after-the-sale"')]


def test_it_offers_admins_to_send_a_suggestion_to_the_draft(client_as, icp):
    response = client_as(Role.ADMIN).get(reverse("analytics:traits", args=[icp.rubric.pk]), {"best": "won"})

    assert "Add to the rubric draft" in response.content.decode()


def test_it_shows_the_analytics_menu_to_analysts_only(client_as, icp):
    member = client_as(Role.MEMBER).get(reverse("home")).content.decode()

    assert reverse("analytics:index") in member


def test_it_hides_the_analytics_menu_from_sales_reps(client_as, icp):
    rep = client_as(Role.SALES_REP).get(reverse("home")).content.decode()

    assert reverse("analytics:index") not in rep


def test_it_shows_an_icp_nobody_is_scored_by_yet(client_as, db):
    from .factories import _version

    rubric = Rubric.objects.create(profile=Profile.objects.create(name="New"), name="Fit")
    _version(rubric, 1, "published", 0, [], [("industry", "in", ["Software"], 1)])
    client = client_as(Role.MEMBER)

    for name in ("analytics:segments", "analytics:accuracy", "analytics:traits"):
        response = client.get(reverse(name, args=[rubric.pk]))
        assert response.status_code == 200, name
