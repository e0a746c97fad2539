import pytest
from django.core.exceptions import ValidationError

from profiles.models import Profile
from profiles.services.profiles import profile_create
from rubrics.models import RubricVersion, VersionStatus
from rubrics.services.drafts import (
    DraftChangedMeanwhile,
    VersionNotEditable,
    criterion_add,
    criterion_move,
    criterion_remove,
    criterion_update,
    draft_create,
    rubric_create,
    version_settings_update,
)

pytestmark = pytest.mark.django_db

INDUSTRY = {"field": "industry", "operator": "in", "values": ["Software"], "bands": [], "points": 3}
INDUSTRY |= {"group": "fit", "label": "Industry fit"}


def _draft(user=None) -> RubricVersion:
    profile = profile_create(name="Mid-market SaaS", user=user)
    return rubric_create(profile=profile, name="Fit", user=user).versions.get()


def _add(version, **changes):
    return criterion_add(version=version, **(INDUSTRY | changes), revision=version.revision, user=None)


def test_it_creates_a_rubric_with_an_empty_draft_v1():
    version = _draft()

    assert (version.number, version.status, version.criteria.count()) == (1, VersionStatus.DRAFT, 0)


def test_it_refuses_a_second_rubric_of_the_same_name_in_a_profile():
    version = _draft()

    with pytest.raises(ValidationError, match="already has a rubric named"):
        rubric_create(profile=version.rubric.profile, name="fit", user=None)


def test_it_adds_a_criterion_and_bumps_the_revision():
    version = _draft()

    criterion = _add(version)

    version.refresh_from_db()
    assert version.revision == 2
    assert (criterion.position, criterion.values, criterion.points) == (0, ["Software"], 3)


def test_it_refuses_a_stale_revision_and_keeps_the_other_change():
    version = _draft()
    stale = version.revision
    _add(version, label="First")

    with pytest.raises(DraftChangedMeanwhile) as refused:
        criterion_add(version=version, **(INDUSTRY | {"label": "Second"}), revision=stale, user=None)

    assert refused.value.version.revision == 2
    assert list(version.criteria.values_list("label", flat=True)) == ["First"]


def test_it_refuses_to_change_a_published_version():
    version = _draft()
    _add(version)
    RubricVersion.objects.filter(pk=version.pk).update(status=VersionStatus.PUBLISHED)
    version.refresh_from_db()

    with pytest.raises(VersionNotEditable, match="published"):
        _add(version)
    assert version.criteria.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"operator": "gte", "values": [3]}, "operator", "does not fit this field"),
        ({"field": "employees", "operator": "between", "values": [50]}, "values", "Give two numbers"),
        ({"field": "employees", "operator": "gte", "values": [2.5]}, "values", "whole numbers"),
        ({"points": 9}, "points", "Points must be between -3 and 3"),
        ({"field": "no_such_field"}, "field", "Choose a customer field"),
    ],
)
def test_it_refuses_a_bad_criterion_with_a_message_on_its_field(changes, field, message):
    version = _draft()

    with pytest.raises(ValidationError) as refused:
        _add(version, **changes)

    assert message in " ".join(refused.value.message_dict[field])
    version.refresh_from_db()
    assert version.revision == 1, "a refused change does not bump the revision"


def test_it_updates_a_criterion():
    version = _draft()
    criterion = _add(version)
    version.refresh_from_db()

    criterion_update(
        criterion=criterion,
        **(INDUSTRY | {"operator": "not_in", "values": ["Retail"], "points": -2}),
        revision=version.revision,
        user=None,
    )

    criterion.refresh_from_db()
    assert (criterion.operator, criterion.values, criterion.points) == ("not_in", ["Retail"], -2)


def test_it_stores_bands_and_no_points_of_their_own():
    version = _draft()
    bands = [{"label": "high", "min": 10, "max": None, "points": 3}, {"label": "low", "min": 1, "max": 9, "points": 1}]

    criterion = _add(version, field="website_visits_30d", operator="bands", values=[], bands=bands, points=2)

    assert criterion.bands == bands
    assert criterion.points == 0


def test_it_removes_a_criterion_and_renumbers_the_rest():
    version = _draft()
    first = _add(version, label="a")
    version.refresh_from_db()
    _add(version, label="b")
    version.refresh_from_db()

    criterion_remove(criterion=first, revision=version.revision, user=None)

    assert list(version.criteria.values_list("label", "position")) == [("b", 0)]


def test_it_moves_a_criterion_up_and_down():
    version = _draft()
    for label in "abc":
        version.refresh_from_db()
        _add(version, label=label)
    version.refresh_from_db()
    last = version.criteria.get(label="c")

    criterion_move(criterion=last, direction="up", revision=version.revision, user=None)
    criterion_move(criterion=last, position=0, revision=version.revision, user=None)

    assert list(version.criteria.order_by("position").values_list("label", flat=True)) == ["c", "a", "b"]


def test_it_refuses_a_threshold_no_customer_could_reach():
    version = _draft()
    _add(version)
    version.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        version_settings_update(
            version=version, threshold=4, min_points=-3, max_points=3, grades=[], note="", revision=2, user=None
        )

    assert "the most any customer can score is 3" in refused.value.message_dict["threshold"][0]


def test_it_saves_settings_with_grades_best_first():
    version = _draft()
    grades = [{"label": "B", "min": 5}, {"label": "A", "min": 10}]

    version_settings_update(
        version=version, threshold=8, min_points=-5, max_points=5, grades=grades, note=" why ", revision=1, user=None
    )

    version.refresh_from_db()
    assert (version.threshold, version.max_points, version.note, version.revision) == (8, 5, "why", 2)
    assert version.grades == [{"label": "A", "min": 10}, {"label": "B", "min": 5}]


def test_it_refuses_a_points_range_that_leaves_a_criterion_out():
    version = _draft()
    _add(version, points=3)
    version.refresh_from_db()

    with pytest.raises(ValidationError, match="Points must be between -2 and 2"):
        version_settings_update(
            version=version, threshold=1, min_points=-2, max_points=2, grades=[], note="", revision=2, user=None
        )


def test_it_copies_the_published_version_into_a_new_draft():
    version = _draft()
    _add(version)
    RubricVersion.objects.filter(pk=version.pk).update(status=VersionStatus.PUBLISHED, threshold=3)

    draft = draft_create(rubric=version.rubric, user=None)

    assert (draft.number, draft.status, draft.threshold) == (2, VersionStatus.DRAFT, 3)
    assert list(draft.criteria.values_list("field", "values", "points")) == [("industry", ["Software"], 3)]
    with pytest.raises(ValidationError, match="already has a draft"):
        draft_create(rubric=version.rubric, user=None)


def test_it_refuses_a_duplicate_profile_name():
    profile_create(name="SaaS", user=None)

    with pytest.raises(ValidationError, match="already exists"):
        profile_create(name="saas", user=None)
    assert Profile.objects.count() == 1


def test_it_stores_a_gate_and_keeps_it_when_an_update_does_not_say():
    version = _draft()
    criterion = _add(version, gate="never", label="Competitor")
    version.refresh_from_db()

    criterion_update(criterion=criterion, **(INDUSTRY | {"points": 1}), revision=version.revision, user=None)

    criterion.refresh_from_db()
    assert (criterion.gate, criterion.points) == ("never", 1)


def test_it_refuses_a_gate_it_does_not_know():
    with pytest.raises(ValidationError) as refused:
        _add(_draft(), gate="sometimes")

    assert "counts as adds points, must-have, disqualifier" in refused.value.message_dict["gate"][0]


@pytest.mark.parametrize(
    ("caps", "field", "message"),
    [
        ({"engagement": -1}, "cap_engagement", "must be a whole number of points, 0 or more (not -1)"),
        ({"engagement": 2.5}, "cap_engagement", "must be a whole number of points"),
        ({"intent": 3}, "cap_intent", "“intent” is not a group"),
    ],
)
def test_it_refuses_a_cap_that_is_not_a_whole_number_from_0_of_a_group(caps, field, message):
    version = _draft()

    with pytest.raises(ValidationError) as refused:
        version_settings_update(
            version=version, threshold=0, min_points=-3, max_points=3, grades=[], note="", caps=caps, revision=1,
            user=None,
        )  # fmt: skip

    assert message in refused.value.message_dict[field][0]
    version.refresh_from_db()
    assert version.caps == {}


def test_it_refuses_a_threshold_the_caps_put_out_of_reach():
    version = _draft()
    _add(version, points=3)
    version.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        version_settings_update(
            version=version, threshold=3, min_points=-3, max_points=3, grades=[], note="", caps={"fit": 2},
            revision=version.revision, user=None,
        )  # fmt: skip

    assert "the most any customer can score is 2" in refused.value.message_dict["threshold"][0]


def test_it_copies_the_gates_and_caps_into_a_new_draft():
    version = _draft()
    _add(version, gate="must")
    version.refresh_from_db()
    version_settings_update(
        version=version, threshold=3, min_points=-3, max_points=3, grades=[], note="", caps={"engagement": 4},
        revision=version.revision, user=None,
    )  # fmt: skip
    RubricVersion.objects.filter(pk=version.pk).update(status=VersionStatus.PUBLISHED)

    draft = draft_create(rubric=version.rubric, user=None)

    assert draft.caps == {"engagement": 4}
    assert list(draft.criteria.values_list("field", "gate")) == [("industry", "must")]
