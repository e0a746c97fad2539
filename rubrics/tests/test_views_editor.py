import pytest
from django.urls import reverse

from profiles.services.profiles import profile_create
from rubrics.models import Criterion, RubricVersion, VersionStatus
from rubrics.services.drafts import criterion_add, rubric_create
from teams.models import Role

HTMX = {"HTTP_HX_REQUEST": "true"}
INDUSTRY = {"field": "industry", "operator": "in", "values": "Software, SaaS", "points": "3", "group": "fit"}


@pytest.fixture
def admin(client_as):
    return client_as(Role.ADMIN)


@pytest.fixture
def draft(db):
    profile = profile_create(name="SaaS", user=None)
    return rubric_create(profile=profile, name="Fit", user=None).versions.get()


def _added(version, label="Industry fit"):
    values = {"field": "industry", "operator": "in", "values": ["Software"], "bands": [], "points": 3}
    return criterion_add(version=version, **values, group="fit", label=label, revision=version.revision, user=None)


def test_it_creates_a_profile_and_a_rubric_then_opens_its_draft(admin):
    admin.post(reverse("rubrics:profile_create"), {"name": "Mid-market"})
    profile_id = admin.get(reverse("rubrics:list")).context["profiles"][0][0].pk

    response = admin.post(reverse("rubrics:rubric_create", kwargs={"profile_id": profile_id}), {"name": "Fit"})

    version = RubricVersion.objects.get(rubric__name="Fit")
    assert response.url == reverse("rubrics:version_detail", kwargs={"version_id": version.pk})
    assert "Add a criterion" in admin.get(response.url).content.decode()


def test_it_adds_a_criterion_without_javascript(admin, draft):
    response = admin.post(
        reverse("rubrics:criterion_add", kwargs={"version_id": draft.pk}), INDUSTRY | {"revision": 1}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("rubrics:version_detail", kwargs={"version_id": draft.pk})
    assert "industry is one of Software, SaaS" in response.content.decode()


def test_it_answers_htmx_with_the_editor_fragment(admin, draft):
    response = admin.post(
        reverse("rubrics:criterion_add", kwargs={"version_id": draft.pk}), INDUSTRY | {"revision": 1}, **HTMX
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<div id="editor">')
    assert "<html" not in page
    assert 'name="revision" value="2"' in page


def test_it_refuses_an_operator_that_does_not_fit_the_field_with_400(admin, draft):
    data = INDUSTRY | {"operator": "gte", "values": "10", "revision": 1}

    response = admin.post(reverse("rubrics:criterion_add", kwargs={"version_id": draft.pk}), data, **HTMX)

    assert response.status_code == 400
    assert response.context["add_form"].errors["operator"][0].startswith("“is at least” does not fit industry")
    assert not Criterion.objects.exists()


def test_it_refuses_values_that_do_not_parse_with_400(admin, draft):
    data = INDUSTRY | {"field": "employees", "operator": "between", "values": "50, lots", "revision": 1}

    response = admin.post(reverse("rubrics:criterion_add", kwargs={"version_id": draft.pk}), data)

    assert response.status_code == 400
    assert "is not 2 whole numbers" in response.context["add_form"].errors["values"][0]


def test_it_refuses_points_out_of_range_on_the_points_field(admin, draft):
    data = INDUSTRY | {"points": "7", "revision": 1}

    response = admin.post(reverse("rubrics:criterion_add", kwargs={"version_id": draft.pk}), data, **HTMX)

    assert response.status_code == 400
    assert response.context["add_form"].errors["points"] == ["Points must be between -3 and 3."]


def test_it_answers_a_stale_revision_with_409_and_the_current_draft(admin, draft):
    _added(draft, label="Added by someone else")

    response = admin.post(
        reverse("rubrics:criterion_add", kwargs={"version_id": draft.pk}), INDUSTRY | {"revision": 1}, **HTMX
    )

    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this draft" in page
    assert "Added by someone else" in page
    assert Criterion.objects.count() == 1


def test_it_edits_a_criterion_inline(admin, draft):
    criterion = _added(draft)
    url = reverse("rubrics:criterion_edit", kwargs={"criterion_id": criterion.pk})

    form_page = admin.get(url, **HTMX).content.decode()
    response = admin.post(url, INDUSTRY | {"values": "Fintech", "points": "2", "revision": 2}, **HTMX)

    assert "Save the criterion" in form_page
    assert response.status_code == 200
    criterion.refresh_from_db()
    assert (criterion.values, criterion.points) == (["Fintech"], 2)


def test_it_moves_and_removes_criteria(admin, draft):
    first = _added(draft, label="first")
    second = _added(draft, label="second")

    admin.post(
        reverse("rubrics:criterion_move", kwargs={"criterion_id": second.pk}), {"direction": "up", "revision": 3}
    )
    response = admin.post(reverse("rubrics:criterion_remove", kwargs={"criterion_id": first.pk}), {"revision": 4})

    assert response.status_code == 302
    assert list(draft.criteria.values_list("label", "position")) == [("second", 0)]


def test_it_saves_settings_with_grade_rows(admin, draft):
    data = {"threshold": 0, "min_points": -3, "max_points": 3, "revision": 1}
    data |= {"grade_label_0": "A", "grade_min_0": 8, "grade_label_1": "B", "grade_min_1": 4}

    response = admin.post(reverse("rubrics:version_settings", kwargs={"version_id": draft.pk}), data, **HTMX)

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.grades == [{"label": "A", "min": 8}, {"label": "B", "min": 4}]


def test_it_refuses_an_unreachable_threshold_on_the_threshold_field(admin, draft):
    _added(draft)
    data = {"threshold": 10, "min_points": -3, "max_points": 3, "revision": 2}

    response = admin.post(reverse("rubrics:version_settings", kwargs={"version_id": draft.pk}), data, **HTMX)

    assert response.status_code == 400
    assert (
        "No customer could ever reach the threshold of 10" in response.context["settings_form"].errors["threshold"][0]
    )


def test_it_shows_a_published_version_read_only(admin, draft):
    _added(draft)
    RubricVersion.objects.filter(pk=draft.pk).update(status=VersionStatus.PUBLISHED)

    page = admin.get(reverse("rubrics:version_detail", kwargs={"version_id": draft.pk})).content.decode()

    assert "it never changes" in page
    assert "Add a criterion" not in page


def test_it_starts_a_new_draft_from_the_rubric_page(admin, draft):
    RubricVersion.objects.filter(pk=draft.pk).update(status=VersionStatus.PUBLISHED)

    response = admin.post(reverse("rubrics:draft_create", kwargs={"rubric_id": draft.rubric_id}))

    new = RubricVersion.objects.get(status=VersionStatus.DRAFT)
    assert new.number == 2
    assert response.url == reverse("rubrics:version_detail", kwargs={"version_id": new.pk})


@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR, Role.SALES_REP])
def test_it_refuses_every_change_to_other_roles(client_as, draft, role):
    criterion = _added(draft)
    client = client_as(role)
    posts = [
        reverse("rubrics:profile_create"),
        reverse("rubrics:rubric_create", kwargs={"profile_id": draft.rubric.profile_id}),
        reverse("rubrics:draft_create", kwargs={"rubric_id": draft.rubric_id}),
        reverse("rubrics:version_settings", kwargs={"version_id": draft.pk}),
        reverse("rubrics:criterion_add", kwargs={"version_id": draft.pk}),
        reverse("rubrics:criterion_edit", kwargs={"criterion_id": criterion.pk}),
        reverse("rubrics:criterion_move", kwargs={"criterion_id": criterion.pk}),
        reverse("rubrics:criterion_remove", kwargs={"criterion_id": criterion.pk}),
    ]

    statuses = {url: client.post(url, INDUSTRY | {"revision": 2, "direction": "up"}).status_code for url in posts}

    assert set(statuses.values()) == {403}
    assert Criterion.objects.count() == 1


def test_it_refuses_get_on_a_mutation(admin, draft):
    response = admin.get(reverse("rubrics:criterion_add", kwargs={"version_id": draft.pk}))

    assert response.status_code == 405


def test_it_saves_what_a_criterion_counts_as_and_shows_it_on_its_row(admin, draft):
    data = INDUSTRY | {"gate": "never", "points": "0", "label": "Competitor", "revision": 1}

    response = admin.post(reverse("rubrics:criterion_add", kwargs={"version_id": draft.pk}), data, follow=True)

    assert Criterion.objects.get().gate == "never"
    assert "Disqualifier: industry is one of Software, SaaS" in response.content.decode()


def test_it_edits_a_criterion_into_a_must_have(admin, draft):
    criterion = _added(draft)
    url = reverse("rubrics:criterion_edit", kwargs={"criterion_id": criterion.pk})

    form_page = admin.get(url, **HTMX).content.decode()
    response = admin.post(url, INDUSTRY | {"gate": "must", "revision": 2}, **HTMX)

    assert "Counts as" in form_page
    assert response.status_code == 200
    assert "Must-have: industry is one of Software, SaaS" in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.gate == "must"


def test_it_saves_a_cap_per_group(admin, draft):
    data = {"threshold": 0, "min_points": -3, "max_points": 3, "revision": 1, "cap_engagement": "6", "cap_fit": ""}

    response = admin.post(reverse("rubrics:version_settings", kwargs={"version_id": draft.pk}), data, **HTMX)

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.caps == {"engagement": 6}
    assert 'name="cap_engagement" value="6"' in response.content.decode()


def test_it_refuses_a_negative_cap_with_400_and_says_why(admin, draft):
    data = {"threshold": 0, "min_points": -3, "max_points": 3, "revision": 1, "cap_engagement": "-2"}

    response = admin.post(reverse("rubrics:version_settings", kwargs={"version_id": draft.pk}), data, **HTMX)

    assert response.status_code == 400
    assert response.context["settings_form"].errors["cap_engagement"] == [
        "A cap is a whole number of points, 0 or more."
    ]
    assert "A cap is a whole number of points, 0 or more." in response.content.decode()
    draft.refresh_from_db()
    assert (draft.caps, draft.revision) == ({}, 1)


def test_the_field_list_keeps_abbreviations_as_they_are_written():
    from rubrics.forms import CriterionForm

    labels = dict(CriterionForm.for_criterion(None, 1).fields["field"].choices)

    assert labels["clv"] == "CLV"
    assert labels["nps"] == "NPS (latest, 0-10)"
    assert labels["website_visits_30d"].startswith("Website visits")
