"""rubric_scale: the scale of a rubric's published version, read with the rubric where the caller asked for it."""

import pytest

from rubrics.grading import rubric_scale
from rubrics.models import Rubric, RubricVersion
from rubrics.selectors import published_rubrics, with_published_version
from rubrics.tests.factories import rubric_with_draft

pytestmark = pytest.mark.django_db


def _published() -> RubricVersion:
    version = rubric_with_draft(threshold=3)
    RubricVersion.objects.filter(pk=version.pk).update(status="published")
    return version


def test_a_rubric_read_with_its_published_version_gives_the_same_scale_without_a_query(django_assert_num_queries):
    version = _published()
    expected = rubric_scale(version.rubric)
    [rubric] = with_published_version(published_rubrics())

    with django_assert_num_queries(0):
        scale = rubric_scale(rubric)

    assert scale == expected
    assert scale.threshold == 3


def test_a_rubric_read_with_no_published_version_has_no_scale(django_assert_num_queries):
    version = rubric_with_draft()
    rubric = with_published_version(Rubric.objects.filter(pk=version.rubric_id)).get()

    with django_assert_num_queries(0):
        assert rubric_scale(rubric) is None


def test_a_rubric_read_alone_finds_its_published_version_itself():
    version = _published()

    assert rubric_scale(Rubric.objects.get(pk=version.rubric_id)).threshold == 3
