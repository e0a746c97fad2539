"""Marking a rubric for new business, expansion or both (Rubric.audience): admins only, on the rubric's page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from rubrics.models import LeadAudience, Rubric
from rubrics.services.audience import rubric_audience_set
from rubrics.tests.factories import rubric_with_draft
from teams.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric():
    return rubric_with_draft().rubric


def _audience(rubric) -> str:
    return Rubric.objects.values_list("audience", flat=True).get(pk=rubric.pk)


def test_a_new_rubric_is_for_both(rubric):
    assert rubric.audience == LeadAudience.BOTH


@pytest.mark.parametrize("audience", LeadAudience.values)
def test_an_admin_marks_a_rubric_and_its_page_says_so(client_as, rubric, audience):
    client = client_as(Role.ADMIN)
    Rubric.objects.filter(pk=rubric.pk).update(audience=LeadAudience.BOTH if audience != "both" else "expansion")

    response = client.post(reverse("rubrics:rubric_audience", args=[rubric.pk]), {"audience": audience})

    assert response.status_code == 302
    assert response["Location"] == reverse("rubrics:rubric_detail", args=[rubric.pk])
    assert _audience(rubric) == audience
    page = client.get(response["Location"]).content.decode()
    assert f"Now: <strong>{LeadAudience(audience).label}</strong>." in page
    assert f'<option value="{audience}"\n                    selected>' in page


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MEMBER, Role.SALES_REP])
def test_only_an_admin_may_change_the_marking(client_as, rubric, role):
    client = client_as(role)

    response = client.post(reverse("rubrics:rubric_audience", args=[rubric.pk]), {"audience": "new_business"})

    assert response.status_code == 403
    assert _audience(rubric) == LeadAudience.BOTH


@pytest.mark.parametrize("value", ["upsell", "", "NEW_BUSINESS"])
def test_a_bad_value_is_a_form_error_and_nothing_is_written(client_as, rubric, value):
    client = client_as(Role.ADMIN)

    response = client.post(reverse("rubrics:rubric_audience", args=[rubric.pk]), {"audience": value})

    assert response.status_code == 400
    page = response.content.decode()
    assert "is-invalid" in page
    expected = "This field is required." if value == "" else f"Select a valid choice. {value} is not one of"
    assert expected in page
    assert _audience(rubric) == LeadAudience.BOTH


def test_the_marking_is_post_only(client_as, rubric):
    client = client_as(Role.ADMIN)

    assert client.get(reverse("rubrics:rubric_audience", args=[rubric.pk])).status_code == 405


def test_an_unknown_rubric_is_not_found(client_as, rubric):
    client = client_as(Role.ADMIN)

    response = client.post(reverse("rubrics:rubric_audience", args=[rubric.pk + 1000]), {"audience": "expansion"})

    assert response.status_code == 404


def test_the_service_refuses_a_non_admin_and_a_bad_value(make_person, rubric):
    with pytest.raises(PermissionDenied):
        rubric_audience_set(rubric=rubric, audience="expansion", user=make_person(Role.SALES_REP))
    with pytest.raises(ValidationError) as refused:
        rubric_audience_set(rubric=rubric, audience="upsell", user=make_person(Role.ADMIN))
    assert refused.value.message_dict == {"audience": ["“upsell” is not one of: new_business, expansion, both."]}
    assert _audience(rubric) == LeadAudience.BOTH


def test_the_database_refuses_a_value_outside_the_choices(rubric):
    with pytest.raises(IntegrityError), transaction.atomic():
        Rubric.objects.filter(pk=rubric.pk).update(audience="upsell")
    assert _audience(rubric) == LeadAudience.BOTH
