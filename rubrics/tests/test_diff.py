import pytest
from django.urls import reverse

from profiles.services.profiles import profile_create
from rubrics.models import RubricVersion, VersionStatus
from rubrics.preview import version_diff
from rubrics.services.drafts import (
    criterion_add,
    criterion_update,
    draft_create,
    rubric_create,
    version_settings_update,
)
from teams.models import Role

pytestmark = pytest.mark.django_db


def _add(version, label, field, operator, values, points):
    version.refresh_from_db()
    return criterion_add(
        version=version, field=field, operator=operator, values=values, bands=[], points=points, group="fit",
        label=label, revision=version.revision, user=None,
    )  # fmt: skip


@pytest.fixture
def two_versions():
    older = rubric_create(profile=profile_create(name="SaaS", user=None), name="Fit", user=None).versions.get()
    _add(older, "Industry fit", "industry", "in", ["Software"], 3)
    _add(older, "Referrals", "referrals_made", "gte", [1], 2)
    RubricVersion.objects.filter(pk=older.pk).update(status=VersionStatus.PUBLISHED)
    newer = draft_create(rubric=older.rubric, user=None)
    industry = newer.criteria.get(label="Industry fit")
    newer.refresh_from_db()
    criterion_update(
        criterion=industry, field="industry", operator="in", values=["Software", "SaaS"], bands=[], points=2,
        group="fit", label="Industry fit", revision=newer.revision, user=None,
    )  # fmt: skip
    newer.criteria.get(label="Referrals").delete()
    _add(newer, "Email clicks", "email_clicks_30d", "gte", [1], 3)
    newer.refresh_from_db()
    version_settings_update(
        version=newer, threshold=4, min_points=-3, max_points=3, grades=[{"label": "A", "min": 4}], note="",
        revision=newer.revision, user=None,
    )  # fmt: skip
    older.refresh_from_db()
    newer.refresh_from_db()
    return older, newer


def test_it_lists_added_removed_and_changed_criteria_and_settings(two_versions):
    older, newer = two_versions

    diff = version_diff(older=older, newer=newer)

    assert [criterion.label for criterion in diff.added] == ["Email clicks"]
    assert [criterion.label for criterion in diff.removed] == ["Referrals"]
    assert [change.changes for change in diff.changed] == [
        ["rule: industry is one of Software → industry is one of Software, SaaS", "points: +3 → +2"]
    ]
    assert diff.settings == ["Threshold: 0 → 4", "Grades: none → A from 4"]


def test_it_finds_no_difference_between_a_version_and_its_copy(two_versions):
    older, _ = two_versions

    assert not version_diff(older=older, newer=older)


def test_it_shows_the_diff_page(client_as, two_versions):
    older, newer = two_versions
    url = reverse("rubrics:version_diff", kwargs={"rubric_id": older.rubric_id})

    page = client_as(Role.ADMIN).get(url, {"from": 1, "to": 2}).content.decode()

    assert "From v1 to v2" in page
    assert "Email clicks" in page
    assert "points: +3 → +2" in page


def test_it_reports_what_a_criterion_counts_as_and_the_caps_when_they_change(two_versions):
    older, newer = two_versions
    newer.criteria.filter(label="Industry fit").update(gate="must")
    RubricVersion.objects.filter(pk=newer.pk).update(caps={"engagement": 6})
    newer.refresh_from_db()

    diff = version_diff(older=older, newer=newer)

    assert "counts as: adds points → must-have" in diff.changed[0].changes
    assert "Caps: none → engagement at most 6" in diff.settings
