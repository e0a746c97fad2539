"""The analytics API: the pages' figures as JSON, for the same people, with a message per bad parameter."""

import math

import pytest
from django.urls import reverse

from analytics.accuracy import accuracy_measure
from analytics.segments import segments_compare
from analytics.traits import BASES, traits_discover
from teams.models import Role

from .factories import total_by_hand
from .test_accuracy import _auc_by_hand

pytestmark = pytest.mark.django_db


def test_it_gives_the_segments_with_intervals(api_as, icp):
    response = api_as(Role.MEMBER).get(reverse("analytics_api:segments"), {"rubric": icp.rubric.pk})

    body = response.json()
    expected = segments_compare(rubric=icp.rubric, version=icp.published)
    assert response.status_code == 200
    assert body["version"] == {"id": icp.published.pk, "number": 2, "status": "published", "threshold": 4}
    assert [segment["key"] for segment in body["segments"]] == [segment.key for segment in expected.segments]
    fit = body["segments"][1]
    assert fit["customers"] == expected.segments[1].outcomes.customers
    assert fit["conversion"]["value"] == pytest.approx(expected.segments[1].outcomes.conversion.value)
    assert set(fit["nps"]) == {"value", "low", "high", "n", "small"}


def test_it_gives_the_accuracy_by_band_with_lift_and_auc(api_as, icp):
    response = api_as(Role.FACILITATOR).get(reverse("analytics_api:accuracy"), {"rubric": icp.rubric.pk})

    body = response.json()
    scored = [(total_by_hand(icp.published, c), c.deal_outcome) for c in icp.customers]
    assert response.status_code == 200
    assert body["published"]["auc"]["value"] == pytest.approx(_auc_by_hand(scored), abs=1e-12)
    assert body["compared"]["version"]["number"] == 1
    assert body["comparison"]["better"] == "published"
    expected = accuracy_measure(rubric=icp.rubric, version=icp.published).published
    assert [band["label"] for band in body["published"]["grades"]] == [band.label for band in expected.grades]
    grade_a = body["published"]["grades"][0]
    assert grade_a["conversion_lift"] == pytest.approx(expected.grades[0].conversion_lift)
    assert sum(band["customers"] for band in body["published"]["deciles"]) == len(icp.customers)


def test_it_gives_the_traits_with_share_lift_significance_and_suggestions(api_as, icp):
    response = api_as(Role.ADMIN).get(reverse("analytics_api:traits"), {"rubric": icp.rubric.pk, "best": "won"})

    body = response.json()
    expected = traits_discover(rubric=icp.rubric, basis=BASES["won"])
    assert response.status_code == 200
    assert body["best"]["customers"] == expected.best_total
    first = body["traits"][0]
    assert (first["attribute"], first["value"]) == (expected.traits[0].attribute.field, expected.traits[0].value)
    assert first["lift"] == pytest.approx(expected.traits[0].lift)
    assert first["significant"] is True
    assert 0 <= first["q_value"] < 0.05
    assert {s["field"] for s in body["suggestions"][:2]} == {"industry", "employees"}
    assert body["best"]["population"] == "decided deals (won or lost)"
    industries = next(trait for trait in body["sets"] if trait["attribute"] == "industry")
    assert (industries["kind"], set(industries["values"]), industries["significant"]) == (
        "set",
        {"Software", "Healthcare"},
        True,
    )
    assert industries["candidates"] == 62
    assert industries["p_value"] >= industries["raw_p_value"]
    band = next(trait for trait in body["bands"] if trait["attribute"] == "employees")
    found = next(trait for trait in expected.combined if trait.attribute.field == "employees")
    assert (band["low"], band["high"], band["everyone"]) == (found.key.low, found.key.high, found.everyone)
    pair = body["pairs"][0]
    assert {pair["first"]["attribute"], pair["second"]["attribute"]} == {"industry", "employees"}
    cells = ("both", "first_only", "second_only", "neither")
    assert sum(pair[cell]["everyone"] for cell in cells) == len(icp.customers)
    assert (pair["together"], pair["significant"]) == ("more", True)
    assert body["also_show"] == []  # for won deals, what is known after the sale only restates the outcome


def test_it_gives_what_the_best_also_show_apart_from_the_suggestions(api_as, icp):
    response = api_as(Role.MEMBER).get(reverse("analytics_api:traits"), {"rubric": icp.rubric.pk, "best": "clv"})

    body = response.json()
    clients = [c for c in icp.customers if c.lifecycle_stage in ("customer", "churned") and c.clv is not None]
    assert body["best"]["among"] == len(clients)
    assert body["best"]["population"] == "customers (current and churned) with a CLV"
    assert {trait["attribute"] for trait in body["also_show"]} >= {"lifecycle_stage", "nps", "has_public_review"}
    assert all(trait["everyone_total"] == len(clients) for trait in body["also_show"])
    assert not {s["field"] for s in body["suggestions"]} & {trait["attribute"] for trait in body["also_show"]}


def test_its_figures_are_finite_json(api_as, icp):
    client = api_as(Role.MEMBER)

    for name in ("segments", "accuracy", "traits"):
        body = client.get(reverse(f"analytics_api:{name}"), {"rubric": icp.rubric.pk}).json()
        assert all(math.isfinite(number) for number in _numbers(body)), name


def _numbers(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, float):
        yield value


@pytest.mark.parametrize(
    ("name", "params", "field", "message"),
    [
        ("segments", {"rubric": None}, "rubric", "Say which ICP: rubric=<id> of a rubric with a published version."),
        ("segments", {"rubric": "x"}, "rubric", "Enter a whole number."),
        ("segments", {"rubric": 987654}, "rubric", "There is no rubric with this id."),
        ("segments", {"rubric": 2**70}, "rubric", "Ensure this value is less than or equal to 9223372036854775807."),
        ("accuracy", {"against": 987654}, "against", "Not a version of this rubric other than the published one."),
        ("traits", {"best": "luck"}, "best", "Choose one of: clv, tenure, nps, won, exemplars."),
        ("traits", {"top": 0}, "top", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_it_answers_a_bad_parameter_with_400_and_a_message(api_as, icp, name, params, field, message):
    params = {key: value for key, value in {"rubric": icp.rubric.pk, **params}.items() if value is not None}

    response = api_as(Role.MEMBER).get(reverse(f"analytics_api:{name}"), params)

    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_it_keeps_sales_reps_out(api_as, icp):
    response = api_as(Role.SALES_REP).get(reverse("analytics_api:segments"), {"rubric": icp.rubric.pk})

    assert response.status_code == 403


def test_it_needs_a_token(client, icp):
    response = client.get(reverse("analytics_api:segments"), {"rubric": icp.rubric.pk})

    assert response.status_code == 401


def test_it_documents_the_endpoints_in_the_openapi_schema(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()

    for path in ("/api/analytics/segments/", "/api/analytics/accuracy/", "/api/analytics/traits/"):
        operation = schema["paths"][path]["get"]
        assert {"200", "400", "401", "403"} <= set(operation["responses"])
        assert any(parameter["name"] == "rubric" and parameter["required"] for parameter in operation["parameters"])
    assert "lift" in schema["components"]["schemas"]["Trait"]["properties"]
    assert "auc" in schema["components"]["schemas"]["VersionAccuracy"]["properties"]
