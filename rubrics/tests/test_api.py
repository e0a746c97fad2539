"""The rubric API: a draft read, replaced and published as a document; every bad body a 4xx naming what is wrong,
with nothing written."""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.urls import reverse
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from profiles.models import Profile
from rubrics.models import Criterion, RescoreJob, Rubric, RubricVersion
from rubrics.services.documents import rubric_dump, version_tag
from rubrics.tests.factories import industry_document, rich_version, rubric_with_draft
from rubrics.tests.test_documents import BAD_DOCUMENTS
from teams.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(api_as):
    return api_as(Role.ADMIN)


def _draft_url(rubric) -> str:
    return reverse("rubrics_api:draft", kwargs={"rubric_id": rubric.pk})


def _publish_url(rubric) -> str:
    return reverse("rubrics_api:draft_publish", kwargs={"rubric_id": rubric.pk})


def _database() -> tuple:
    return (
        list(Profile.objects.order_by("pk").values()),
        list(Rubric.objects.order_by("pk").values()),
        list(RubricVersion.objects.order_by("pk").values()),
        list(Criterion.objects.order_by("pk").values()),
        list(RescoreJob.objects.order_by("pk").values()),
    )


def _put(client, rubric, body, headers=None):
    content = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.generic("PUT", _draft_url(rubric), content, content_type="application/json", headers=headers)


# Reading


def test_it_gives_the_draft_as_its_document_with_an_etag(admin_api):
    draft = rich_version(status="draft")

    response = admin_api.get(_draft_url(draft.rubric))

    assert response.status_code == 200
    assert response.json() == rubric_dump(version=draft)
    assert response["ETag"] == f'"{draft.pk}.{draft.revision}"'


def test_it_says_when_the_rubric_has_no_draft(admin_api):
    published = rich_version()

    response = admin_api.get(_draft_url(published.rubric))

    assert response.status_code == 404
    assert response.json() == {"detail": f"{published.rubric} has no draft: PUT a document to make one."}


def test_it_says_when_there_is_no_such_rubric(admin_api):
    for url in (reverse("rubrics_api:draft", args=[10**30]), reverse("rubrics_api:draft_publish", args=[404])):
        response = admin_api.generic("GET" if url.endswith("draft/") else "POST", url, "{}", "application/json")

        assert response.status_code == 404
        assert response.json() == {"detail": "No rubric has this id."}


# Writing


def test_it_replaces_the_draft_with_the_document(admin_api):
    draft = rich_version(status="draft")

    response = _put(admin_api, draft.rubric, industry_document(profile="Ignored", rubric="Ignored too"))

    assert response.status_code == 200
    draft.refresh_from_db()
    assert response.json() == rubric_dump(version=draft)
    assert response["ETag"] == f'"{version_tag(draft)}"'
    assert list(draft.criteria.values_list("field", "values", "points")) == [("industry", ["Software"], 3)]
    assert not Profile.objects.filter(name="Ignored").exists()


def test_it_makes_the_draft_when_the_rubric_has_none(admin_api):
    published = rich_version()
    document = rubric_dump(version=published)

    response = _put(admin_api, published.rubric, document)

    assert response.status_code == 201
    draft = published.rubric.versions.get(status="draft")
    assert (draft.number, draft.created_by) == (2, admin_api.person)
    assert response.json() == document


def test_putting_the_same_document_twice_changes_nothing_the_second_time(admin_api):
    rubric = rich_version().rubric
    first = _put(admin_api, rubric, industry_document())
    stored = _database()

    second = _put(admin_api, rubric, industry_document())

    assert (first.status_code, second.status_code) == (201, 200)
    assert second["ETag"] == first["ETag"]
    assert _database() == stored


@pytest.mark.parametrize(("document", "location"), BAD_DOCUMENTS)
def test_it_refuses_a_bad_document_by_location_and_writes_nothing(admin_api, document, location):
    rubric = rich_version(status="draft").rubric
    stored = _database()

    response = _put(admin_api, rubric, document)

    assert response.status_code == 400
    errors = response.json()
    assert errors[{"__all__": "non_field_errors"}.get(location, location)]
    assert all(isinstance(message, str) for messages in errors.values() for message in messages)
    assert _database() == stored


@pytest.mark.parametrize(
    ("body", "content_type", "status", "key"),
    [
        pytest.param("{not json", "application/json", 400, "detail", id="not-json"),
        pytest.param('{"threshold": NaN}', "application/json", 400, "detail", id="nan"),
        pytest.param("", "application/json", 400, "format", id="empty"),
        pytest.param("null", "application/json", 400, "non_field_errors", id="null"),
        pytest.param('"Lead score"', "application/json", 400, "non_field_errors", id="a-string"),
        pytest.param("[" * 100_000 + "]" * 100_000, "application/json", 400, "detail", id="deeply-nested"),
        pytest.param(
            json.dumps({**industry_document(), "note": {"a": [[[[{"b": [[[[]]]]}]]]]}}),
            "application/json", 400, "note", id="nested-junk",
        ),
        pytest.param('{"\\ud800": 1}', "application/json", 400, '["\\ud800"]', id="surrogate-key"),
        pytest.param(" " * 1_000_001, "application/json", 413, "detail", id="too-large"),
        pytest.param("threshold=3", "application/x-www-form-urlencoded", 415, "detail", id="a-form"),
    ],
)  # fmt: skip
def test_it_refuses_a_body_that_is_not_a_document_with_a_4xx_never_a_500(admin_api, body, content_type, status, key):
    rubric = rich_version(status="draft").rubric
    stored = _database()

    response = admin_api.generic("PUT", _draft_url(rubric), body, content_type=content_type)

    assert response.status_code == status
    assert response.json()[key]
    assert response.content.isascii()
    assert _database() == stored


def test_it_writes_only_over_the_draft_the_client_read(admin_api):
    draft = rich_version(status="draft")
    read = admin_api.get(_draft_url(draft.rubric))["ETag"]
    _put(admin_api, draft.rubric, industry_document(threshold=2))  # someone else's change
    stored = _database()

    stale = _put(admin_api, draft.rubric, industry_document(), {"If-Match": read})

    assert stale.status_code == 412
    assert "The draft changed since you read it" in stale.json()["detail"]
    assert _database() == stored
    fresh = admin_api.get(_draft_url(draft.rubric))["ETag"]
    assert _put(admin_api, draft.rubric, industry_document(), {"If-Match": fresh}).status_code == 200


def test_if_match_any_needs_a_draft(admin_api):
    rubric = rich_version().rubric

    response = _put(admin_api, rubric, industry_document(), {"If-Match": "*"})

    assert response.status_code == 412
    assert not rubric.versions.filter(status="draft").exists()


# Publishing


def test_it_publishes_the_draft_and_gives_the_rescore_job(admin_api):
    draft = rubric_with_draft()

    response = admin_api.post(_publish_url(draft.rubric), {}, format="json")

    assert response.status_code == 202
    job = RescoreJob.objects.get(version=draft)
    assert response.json() == {
        "version": 1,
        "job": job.pk,
        "job_page": f"http://testserver/rubrics/jobs/{job.pk}/",
        "waiting": False,
    }
    draft.refresh_from_db()
    assert (draft.status, draft.published_by) == ("published", admin_api.person)


def test_it_says_when_there_is_no_draft_to_publish(admin_api):
    published = rich_version()

    response = admin_api.post(_publish_url(published.rubric), {}, format="json")

    assert response.status_code == 404
    assert "has no draft" in response.json()["detail"]
    assert not RescoreJob.objects.exists()


def test_it_refuses_a_draft_with_problems_and_says_them(admin_api):
    rubric = rubric_with_draft(threshold=3).rubric
    Criterion.objects.filter(version__rubric=rubric).delete()  # the editor lets an empty draft keep its threshold

    response = admin_api.post(_publish_url(rubric), {}, format="json")

    assert response.status_code == 400
    [message] = response.json()["non_field_errors"]
    assert message.startswith("This draft cannot be published yet: No customer could ever reach the threshold of 3")
    assert not RescoreJob.objects.exists()


@pytest.fixture
def worse_draft():
    """Software wins 60 of 80 deals, Retail 20 of 80; the published version scores Software, the draft Retail."""
    for industry, won, lost in (("Software", 60, 20), ("Retail", 20, 60)):
        for outcome, count in (("won", won), ("lost", lost)):
            Customer.objects.bulk_create(
                CustomerFactory.build(industry=industry, deal_outcome=outcome) for _ in range(count)
            )
    published = rubric_with_draft(industries=("Software",))
    RubricVersion.objects.filter(pk=published.pk).update(status="published")
    draft = RubricVersion.objects.create(rubric=published.rubric, number=2, threshold=3)
    Criterion.objects.create(version=draft, field="industry", operator="in", values=["Retail"], points=3)
    return draft


def test_a_worse_draft_is_refused_with_the_backtest_and_nothing_published(admin_api, worse_draft):
    stored = _database()

    response = admin_api.post(_publish_url(worse_draft.rubric), {"confirm_worse": "  "}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("The draft separates won from lost deals worse than the published version")
    assert body["backtest"]["better"] == "published"
    assert (body["backtest"]["won"], body["backtest"]["lost"]) == (80, 80)
    assert body["backtest"]["draft_auc"] == pytest.approx(0.25)
    assert body["backtest"]["published_auc"] == pytest.approx(0.75)
    assert _database() == stored


def test_a_worse_draft_is_published_with_a_reason(admin_api, worse_draft):
    response = admin_api.post(_publish_url(worse_draft.rubric), {"confirm_worse": "New market."}, format="json")

    assert response.status_code == 202
    worse_draft.refresh_from_db()
    assert (worse_draft.status, worse_draft.publish_reason) == ("published", "New market.")


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"confirm_worse": ["a reason"]}, "confirm_worse"),
        ({"confirm_worse": "x" * 2001}, "confirm_worse"),
        ({"reason": "typo"}, "reason"),
        (["confirm_worse"], "non_field_errors"),
        ("{not json", "detail"),
        ("[" * 100_000, "detail"),
    ],
)
def test_it_refuses_a_bad_publish_body_and_publishes_nothing(admin_api, body, key):
    draft = rubric_with_draft()
    content = body if isinstance(body, str) else json.dumps(body)

    response = admin_api.generic("POST", _publish_url(draft.rubric), content, content_type="application/json")

    assert response.status_code == 400
    assert response.json()[key]
    draft.refresh_from_db()
    assert draft.status == "draft"


# Who may


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MEMBER, Role.SALES_REP])
def test_only_admins_use_it_and_others_change_nothing(api_as, role):
    draft = rich_version(status="draft")
    client = api_as(role)
    stored = _database()

    answers = [
        client.get(_draft_url(draft.rubric)),
        _put(client, draft.rubric, industry_document()),
        client.post(_publish_url(draft.rubric), {}, format="json"),
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert answers[0].json() == {"detail": "Only admins read and change rubrics through the API."}
    assert _database() == stored


def test_anonymous_clients_get_401(client):
    draft = rich_version(status="draft")

    answers = [
        client.get(_draft_url(draft.rubric)),
        client.put(_draft_url(draft.rubric), "{}", content_type="application/json"),
        client.post(_publish_url(draft.rubric), "{}", content_type="application/json"),
    ]

    assert [answer.status_code for answer in answers] == [401, 401, 401]
    assert draft.criteria.count() == 9


# As documented

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _call(key, path, method, rubric, body=None):
    extra = {} if body is None else {"body": body, "media_type": "application/json"}
    case = schema[path][method].Case(path_parameters={"rubric_id": rubric.pk}, **extra)
    return case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)


def test_it_answers_as_its_schema_says(make_person, connection_kept_open, worse_draft):
    from teams.services import api_token_create

    _, key = api_token_create(user=make_person(Role.ADMIN), name="schema")
    rubric = worse_draft.rubric
    draft_path, publish_path = "/api/rubrics/{rubric_id}/draft/", "/api/rubrics/{rubric_id}/draft/publish/"
    document = rubric_dump(version=rich_version())

    assert _call(key, draft_path, "GET", rubric).status_code == 200
    assert _call(key, publish_path, "POST", rubric, {}).status_code == 409
    assert _call(key, draft_path, "PUT", rubric, {**document, "threshold": 99}).status_code == 400
    assert _call(key, draft_path, "PUT", rubric, document).status_code == 200
    assert _call(key, publish_path, "POST", rubric, {"confirm_worse": "Testing."}).status_code == 202
    assert _call(key, draft_path, "GET", rubric).status_code == 404
