"""A rubric version as a document: dumped in a stable shape, loaded back as the same draft scoring the same, and a
bad document refused whole, by location, with nothing written."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from customers.tests.factories import CustomerFactory
from profiles.models import Profile
from rubrics import scoring
from rubrics.document_format import DOCUMENT_KEYS
from rubrics.document_schema import DOCUMENT_EXAMPLE
from rubrics.models import Criterion, Rubric, RubricVersion
from rubrics.problems import rubric_problems
from rubrics.selectors import customer_attributes, decay_json, version_spec
from rubrics.services.documents import StaleDraft, rubric_dump, rubric_load, version_tag
from rubrics.services.drafts import DraftChangedMeanwhile
from rubrics.tests.factories import industry_document, rich_version, rubric_with_draft
from rubrics.tests.test_compile import customers, rubrics

pytestmark = pytest.mark.django_db


def _database() -> tuple:
    """Every profile, rubric, version and criterion as stored, to show that nothing was written."""
    return (
        list(Profile.objects.order_by("pk").values()),
        list(Rubric.objects.order_by("pk").values()),
        list(RubricVersion.objects.order_by("pk").values()),
        list(Criterion.objects.order_by("pk").values()),
    )


def _load_errors(document, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        rubric_load(document=document, user=None, **kwargs)
    return refused.value.message_dict


def test_it_dumps_a_small_version_as_documented():
    version = rubric_with_draft(industries=("Software", "Healthcare"), threshold=3)

    assert json.dumps(rubric_dump(version=version)) == json.dumps(
        {
            "format": "icp-rubric/1",
            "profile": version.rubric.profile.name,
            "rubric": "Fit",
            "threshold": 3,
            "min_points": -3,
            "max_points": 3,
            "grades": [],
            "caps": {},
            "note": "",
            "criteria": [
                {
                    "label": "",
                    "group": "fit",
                    "field": "industry",
                    "operator": "in",
                    "values": ["Software", "Healthcare"],
                    "points": 3,
                    "gate": "",
                }
            ],
        }
    )


def test_a_criterion_has_the_keys_its_operator_uses_in_a_fixed_order():
    document = rubric_dump(version=rich_version())

    assert tuple(document) == DOCUMENT_KEYS
    keys = {criterion["operator"]: list(criterion) for criterion in document["criteria"]}
    assert keys["in"] == ["label", "group", "field", "operator", "values", "points", "gate"]
    assert keys["true"] == ["label", "group", "field", "operator", "points", "gate"]
    assert keys["bands"] == ["label", "group", "field", "operator", "bands", "gate"]
    assert list(document["criteria"][5]["bands"][0]) == ["label", "min", "max", "points"]
    assert document["grades"] == [{"label": "A", "min": 8}, {"label": "B", "min": 5}]


def test_a_round_trip_gives_the_same_document_and_the_same_scores():
    published = rich_version()
    document = rubric_dump(version=published)

    draft = rubric_load(document=json.loads(json.dumps(document)), user=None)

    assert (draft.rubric_id, draft.number, draft.status) == (published.rubric_id, 2, "draft")
    assert rubric_dump(version=draft) == document
    customers = [
        CustomerFactory.build(industry="Software", website_visits_30d=12, email_clicks_30d=4, domain="a.example"),
        CustomerFactory.build(industry="Software", extra={"competitor": True, "seats": 40}),
        CustomerFactory.build(industry="Retail", contact_titles="VP Revenue", has_case_study=False, domain=""),
        CustomerFactory.build(industry="", country="Atlantis", extra={"seats": 10.25}, website_visits_30d=None),
    ]
    before, after = version_spec(published), version_spec(draft)
    for customer in customers:
        old, new = (
            scoring.score(before, customer_attributes(customer)),
            scoring.score(after, customer_attributes(customer)),
        )
        assert (new.total, new.status, new.grade, new.matched_mask, new.no_data_mask, new.subtotals) == (
            old.total, old.status, old.grade, old.matched_mask, old.no_data_mask, old.subtotals,
        )  # fmt: skip
    # The gates and the cap came through, and still decide these customers.
    statuses = [scoring.score(after, customer_attributes(customer)).status for customer in customers]
    assert statuses == [scoring.QUALIFIED, scoring.DISQUALIFIED, scoring.MISSES_MUST_HAVE, scoring.NEEDS_DATA]
    engaged = scoring.score(after, customer_attributes(customers[0]))
    assert (engaged.raw_subtotals["engagement"], engaged.subtotals["engagement"]) == (6, 4)


def _stored(spec: scoring.Rubric) -> RubricVersion:
    """The engine's rubric as a published version of a rubric of its own."""
    rubric = Rubric.objects.create(profile=Profile.objects.create(name=f"Random {Profile.objects.count()}"), name="R")
    version = RubricVersion.objects.create(
        rubric=rubric, number=1, status="published", threshold=spec.threshold, caps=dict(spec.caps)
    )
    Criterion.objects.bulk_create(
        Criterion(
            version=version,
            position=position,
            field=c.field,
            operator=c.operator,
            values=list(c.values),
            bands=[{"label": b.label, "min": b.min, "max": b.max, "points": b.points} for b in c.bands],
            points=0 if c.operator == "bands" else c.points,
            group=c.group,
            gate=c.gate,
            decay=decay_json(c.decay),
        )  # fmt: skip
        for position, c in enumerate(spec.criteria)
    )
    return version


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_any_rubric_the_editor_accepts_survives_the_round_trip_with_its_scores(data):
    spec = data.draw(rubrics())
    assume(not rubric_problems(spec))
    published = _stored(spec)
    document = json.loads(json.dumps(rubric_dump(version=published)))
    target = rubric_with_draft().rubric

    draft = rubric_load(document=document, user=None, rubric=target)

    assert rubric_dump(version=draft) == {**document, "profile": target.profile.name, "rubric": target.name}
    before, after = version_spec(published), version_spec(draft)
    for attributes in data.draw(st.lists(customers, max_size=4)):
        old, new = scoring.score(before, attributes), scoring.score(after, attributes)
        assert (new.total, new.status, new.matched_mask, new.no_data_mask) == (
            old.total, old.status, old.matched_mask, old.no_data_mask,
        )  # fmt: skip


def test_a_must_have_a_disqualifier_and_a_cap_survive_the_round_trip():
    document = rubric_dump(version=rich_version())

    draft = rubric_load(document=document, user=None)

    gates = dict(draft.criteria.exclude(gate="").values_list("label", "gate"))
    assert gates == {"Industry match": "must", "Competitor": "never"}
    assert draft.caps == {"engagement": 4}
    assert draft.grades == [{"label": "A", "min": 8}, {"label": "B", "min": 5}]


def test_it_copies_a_version_into_the_rubric_it_names_making_it_when_missing():
    document = {**rubric_dump(version=rich_version()), "profile": "Enterprise", "rubric": "Account fit"}

    draft = rubric_load(document=document, user=None)

    assert (draft.rubric.profile.name, draft.rubric.name, draft.number) == ("Enterprise", "Account fit", 1)
    assert rubric_dump(version=draft) == document


def test_a_given_rubric_wins_over_the_names_in_the_document():
    target = rubric_with_draft().rubric

    draft = rubric_load(document=industry_document(profile="Elsewhere", rubric="Other"), user=None, rubric=target)

    assert draft.rubric_id == target.pk
    assert not Profile.objects.filter(name="Elsewhere").exists()


def test_loading_the_same_document_twice_leaves_the_same_draft():
    document = rubric_dump(version=rich_version())
    first = rubric_load(document=document, user=None)
    stored = _database()

    second = rubric_load(document=document, user=None)

    assert (second.pk, second.revision) == (first.pk, first.revision)
    assert _database() == stored


def test_it_replaces_the_draft_entirely_and_bumps_its_revision():
    draft = rich_version(status="draft")
    revision = draft.revision

    loaded = rubric_load(document=industry_document(), user=None, rubric=draft.rubric)

    assert loaded.pk == draft.pk
    assert loaded.revision == revision + 1
    assert (loaded.threshold, loaded.min_points, loaded.max_points) == (3, -3, 3)
    assert (loaded.grades, loaded.caps, loaded.note) == ([], {}, "")
    assert list(loaded.criteria.values_list("position", "label", "field", "values", "points")) == [
        (0, "Industry", "industry", ["Software"], 3)
    ]


def _criterion(**changes) -> dict:
    return {"field": "industry", "operator": "in", "values": ["Software"], "points": 3, **changes}


def _bands(count: int) -> dict:
    bands = [{"min": number, "max": number, "points": 1} for number in range(count)]
    return {"field": "employees", "operator": "bands", "bands": bands}


BAD_DOCUMENTS = [
    # shape
    pytest.param(["not", "an", "object"], "__all__", id="not-an-object"),
    pytest.param(industry_document(format="icp-rubric/2"), "format", id="other-format"),
    pytest.param({k: v for k, v in industry_document().items() if k != "threshold"}, "threshold", id="no-threshold"),
    pytest.param(industry_document(threshold="3"), "threshold", id="threshold-text"),
    pytest.param(industry_document(threshold=2**40), "threshold", id="threshold-huge"),
    pytest.param(industry_document(colour="red"), "colour", id="unknown-key"),
    pytest.param(industry_document(criteria={"industry": "Software"}), "criteria", id="criteria-not-a-list"),
    pytest.param(industry_document(criteria=[_criterion(colour="red")]), "criteria[0].colour", id="criterion-key"),
    pytest.param(industry_document(criteria=["industry"]), "criteria[0]", id="criterion-not-an-object"),
    pytest.param(industry_document(note=["x"]), "note", id="note-not-text"),
    pytest.param(industry_document(note="x" * 10_001), "note", id="note-too-long"),
    pytest.param(industry_document(profile="   "), "profile", id="blank-profile"),
    pytest.param(industry_document(min_points=-1000), "min_points", id="min-points-out-of-range"),
    pytest.param(industry_document(criteria=[_criterion(label="In\x00dustry")]), "criteria[0].label", id="nul"),
    pytest.param(industry_document(criteria=[_criterion(values=[["Software"]])]), "criteria[0].values[0]", id="nest"),
    pytest.param(industry_document(criteria=[_criterion(values=[2**64])]), "criteria[0].values[0]", id="huge-value"),
    pytest.param(industry_document(criteria=[_criterion(points=True)]), "criteria[0].points", id="points-boolean"),
    pytest.param(industry_document(criteria=[{**_bands(1), "points": 2}]), "criteria[0].points", id="banded-points"),
    pytest.param(
        industry_document(criteria=[_criterion(bands=[{"min": 1, "points": 1}])]), "criteria[0].bands", id="bands-on-in"
    ),
    pytest.param(
        industry_document(criteria=[{**_bands(1), "bands": [{"min": "ten", "points": 1}]}]),
        "criteria[0].bands[0].min",
        id="band-bound-text",
    ),
    # the editor's rules
    pytest.param(industry_document(criteria=[_criterion(field="colour")]), "criteria[0].field", id="unknown-field"),
    pytest.param(industry_document(criteria=[_criterion(operator="gte")]), "criteria[0].operator", id="unfit-operator"),
    pytest.param(industry_document(criteria=[_criterion(values=[])]), "criteria[0].values", id="no-values"),
    pytest.param(industry_document(criteria=[_criterion(points=5)]), "criteria[0].points", id="points-out-of-range"),
    pytest.param(industry_document(criteria=[_criterion(gate="maybe")]), "criteria[0].gate", id="unknown-gate"),
    pytest.param(industry_document(criteria=[_criterion(group="luck")]), "criteria[0].group", id="unknown-group"),
    pytest.param(
        industry_document(criteria=[{**_bands(1), "bands": [{"min": 9, "max": 1, "points": 1}]}]),
        "criteria[0].bands",
        id="band-upside-down",
    ),
    pytest.param(industry_document(caps={"engagement": -1}), "caps.engagement", id="negative-cap"),
    pytest.param(industry_document(caps={"money": 3}), "caps.money", id="unknown-cap-group"),
    pytest.param(industry_document(caps={"fit": "3"}), "caps.fit", id="cap-text"),
    pytest.param(industry_document(grades=[{"label": "A", "min": 3}, {"label": "A", "min": 1}]), "grades", id="dupe"),
    pytest.param(industry_document(grades=[{"label": "A"}]), "grades[0].min", id="grade-without-min"),
    pytest.param(industry_document(min_points=2, max_points=1, criteria=[]), "max_points", id="points-upside-down"),
    pytest.param(industry_document(threshold=4), "threshold", id="unreachable-threshold"),
    pytest.param(industry_document(criteria=[_criterion()] * 63), "criteria", id="too-many-criteria"),
    pytest.param(industry_document(criteria=[_bands(31), _bands(32)]), "criteria", id="too-many-slots"),
]


@pytest.mark.parametrize(("document", "location"), BAD_DOCUMENTS)
def test_it_refuses_a_bad_document_by_location_and_leaves_the_draft_as_it_was(document, location):
    rich_version(status="draft", profile="Core ICP")
    stored = _database()

    errors = _load_errors(document)

    assert location in errors, errors
    assert all(isinstance(message, str) and message for message in errors[location])
    assert _database() == stored


def test_it_reports_every_problem_of_a_document_at_once():
    document = industry_document(
        colour="red",
        caps={"engagement": -2},
        criteria=[_criterion(field="colour"), _criterion(points=9), _criterion(operator="gte", values=[1])],
    )

    errors = _load_errors(document)

    assert set(errors) == {
        "colour",
        "caps.engagement",
        "criteria[0].field",
        "criteria[1].points",
        "criteria[2].operator",
    }


def test_the_editors_words_come_with_how_a_document_writes_them():
    errors = _load_errors(industry_document(criteria=[_criterion(operator="gte", values=[1]), _criterion(gate="no")]))

    assert errors["criteria[0].operator"] == [
        "“is at least” does not fit this field; use is one of, is not one of, is empty. "
        "In a document: in, not_in, empty."
    ]
    assert errors["criteria[1].gate"][0].endswith('In a document: "" (adds points), "must" or "never".')


def test_a_bad_document_naming_a_new_rubric_makes_no_profile_or_rubric():
    _load_errors(industry_document(profile="New profile", threshold=99))

    assert not Profile.objects.exists()
    assert not Rubric.objects.exists()


def test_it_says_that_a_location_that_is_not_a_plain_name_is_quoted():
    errors = _load_errors(industry_document(caps={"two words": 1, "\ud800": 1}))

    assert set(errors) == {'caps["two words"]', 'caps["\\ud800"]'}


def test_it_needs_the_names_only_when_no_rubric_is_given():
    document = {key: value for key, value in industry_document().items() if key not in ("profile", "rubric")}

    assert set(_load_errors(document)) == {"profile", "rubric"}
    assert rubric_load(document=document, user=None, rubric=rubric_with_draft().rubric).threshold == 3


def test_it_refuses_a_stale_draft_tag_and_writes_nothing():
    draft = rich_version(status="draft")
    stale = version_tag(draft)
    Criterion.objects.filter(version=draft).update(label="Changed in the editor")
    RubricVersion.objects.filter(pk=draft.pk).update(revision=draft.revision + 1)
    stored = _database()

    with pytest.raises(StaleDraft):
        rubric_load(document=industry_document(), user=None, rubric=draft.rubric, draft_tag=stale)

    assert _database() == stored


def test_a_draft_tag_must_name_a_draft_and_loads_when_it_is_the_current_one():
    published = rich_version()

    with pytest.raises(StaleDraft):
        rubric_load(document=industry_document(), user=None, rubric=published.rubric, draft_tag="*")
    assert not RubricVersion.objects.filter(status="draft").exists()

    draft = rubric_load(document=industry_document(), user=None, rubric=published.rubric)
    again = rubric_load(document=industry_document(threshold=2), user=None, rubric=published.rubric, draft_tag="*")
    assert again.pk == draft.pk
    third = rubric_load(
        document=industry_document(threshold=1), user=None, rubric=published.rubric, draft_tag=version_tag(again)
    )
    assert (third.threshold, third.revision) == (1, again.revision + 1)


def test_it_refuses_to_overwrite_an_edit_saved_while_it_loaded(monkeypatch):
    from rubrics.services import documents

    draft = rich_version(status="draft")
    read = documents._document_of

    def read_then_someone_saves(version):
        document = read(version)
        RubricVersion.objects.filter(pk=version.pk).update(revision=version.revision + 1)
        return document

    monkeypatch.setattr(documents, "_document_of", read_then_someone_saves)

    with pytest.raises(DraftChangedMeanwhile):
        rubric_load(document=industry_document(), user=None, rubric=draft.rubric)

    assert draft.criteria.count() == 9


def test_the_readme_example_loads_and_dumps_as_written():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### A rubric as a document", 1)[1]
    example = json.loads(section.split("```json", 1)[1].split("```", 1)[0])

    draft = rubric_load(document=example, user=None)

    assert list(rubric_dump(version=draft).items()) == list(example.items())
    assert example == DOCUMENT_EXAMPLE.value
