from collections import Counter

import pytest
from django.urls import reverse

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from profiles.services.profiles import profile_create
from rubrics import scoring
from rubrics.models import RubricVersion, VersionStatus
from rubrics.preview import version_preview
from rubrics.selectors import customer_attributes, version_spec
from rubrics.services.drafts import criterion_add, draft_create, rubric_create, version_settings_update
from teams.models import Role

pytestmark = pytest.mark.django_db


def _criterion(version, field, operator, values=(), points=0, bands=()):
    version.refresh_from_db()
    criterion_add(
        version=version,
        field=field,
        operator=operator,
        values=list(values),
        bands=list(bands),
        points=points,
        group="fit",
        label=field,
        revision=version.revision,
        user=None,
    )


def _threshold(version, threshold):
    version.refresh_from_db()
    version_settings_update(
        version=version, threshold=threshold, min_points=-3, max_points=3, grades=[], note="",
        revision=version.revision, user=None,
    )  # fmt: skip


@pytest.fixture
def versions():
    """Published: industry Software +3, threshold 3. Draft: + visits banded (10+: +3, 1-9: +1), threshold 4."""
    published = rubric_create(profile=profile_create(name="SaaS", user=None), name="Fit", user=None).versions.get()
    _criterion(published, "industry", "in", ["Software"], 3)
    _threshold(published, 3)
    RubricVersion.objects.filter(pk=published.pk).update(status=VersionStatus.PUBLISHED)
    draft = draft_create(rubric=published.rubric, user=None)
    bands = [{"label": "high", "min": 10, "max": None, "points": 3}, {"label": "low", "min": 1, "max": 9, "points": 1}]
    _criterion(draft, "website_visits_30d", "bands", bands=bands)
    _threshold(draft, 4)
    draft.refresh_from_db()
    return published, draft


def _base():
    CustomerFactory(name="Stays in", industry="Software", website_visits_30d=12)  # 6 / 3
    CustomerFactory(name="Leaves", industry="Software", website_visits_30d=0)  # 3 / 3
    CustomerFactory(name="Leaves too", industry="software", website_visits_30d=None)  # 3 / 3
    CustomerFactory(name="Stays out", industry="Retail", website_visits_30d=12)  # 3 / 0
    CustomerFactory(name="Out", industry="", website_visits_30d=5)  # 1 / 0


def test_it_counts_totals_and_who_enters_and_leaves(versions):
    _base()
    published, draft = versions

    preview = version_preview(version=draft)

    assert [(bar.total, bar.count, bar.qualified) for bar in preview.bars] == [
        (1, 1, False),
        (3, 3, False),
        (6, 1, True),
    ]
    assert (preview.customers, preview.qualified, preview.published_qualified) == (5, 1, 3)
    assert (preview.entering, preview.leaving) == (0, 2)
    assert [customer["name"] for customer in preview.leaving_sample] == ["Leaves", "Leaves too"]
    assert preview.entering_sample == []


def test_it_agrees_with_the_scoring_engine(versions):
    _base()
    for visits in (None, 0, 1, 9, 10, 40):
        CustomerFactory(industry="Software" if visits else "Retail", website_visits_30d=visits)
    _, draft = versions
    spec = version_spec(draft)
    expected = Counter(scoring.score(spec, customer_attributes(c)).total for c in Customer.objects.all())

    preview = version_preview(version=draft)

    assert {bar.total: bar.count for bar in preview.bars} == expected
    assert preview.qualified == sum(count for total, count in expected.items() if total >= draft.threshold)


def test_it_previews_a_rubric_with_nothing_published(db):
    draft = rubric_create(profile=profile_create(name="SaaS", user=None), name="Fit", user=None).versions.get()
    CustomerFactory.create_batch(2)

    preview = version_preview(version=draft)

    assert (preview.customers, preview.qualified, preview.entering, preview.published) == (2, 2, None, None)


def test_it_shows_the_preview_page_with_bars_and_samples(client_as, versions):
    _base()
    _, draft = versions

    response = client_as(Role.ADMIN).get(reverse("rubrics:version_preview", kwargs={"version_id": draft.pk}))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'width="100.0%"' in page
    assert "Leaves too" in page
    assert "<script>" not in page


def test_it_counts_both_totals_right_when_the_draft_changes_drops_and_adds_criteria():
    from rubrics.preview import _pairs
    from rubrics.services.drafts import criterion_remove, criterion_update

    published = rubric_create(profile=profile_create(name="Mixed", user=None), name="Fit", user=None).versions.get()
    _criterion(published, "industry", "in", ["Software"], 3)
    _criterion(published, "employees", "gte", [50], 2)
    _criterion(published, "email_opens_30d", "gte", [1], 1)
    _threshold(published, 3)
    RubricVersion.objects.filter(pk=published.pk).update(status=VersionStatus.PUBLISHED)
    draft = draft_create(rubric=published.rubric, user=None)
    employees, opens = draft.criteria.get(field="employees"), draft.criteria.get(field="email_opens_30d")
    draft.refresh_from_db()
    criterion_update(
        criterion=employees, field="employees", operator="gte", values=[50], bands=[], points=-1, group="fit",
        label="employees", revision=draft.revision, user=None,
    )  # fmt: skip
    draft.refresh_from_db()
    criterion_remove(criterion=opens, revision=draft.revision, user=None)
    _criterion(draft, "has_case_study", "true", points=2)
    draft.refresh_from_db()
    for n in range(40):
        CustomerFactory(
            industry=["Software", "Retail"][n % 2], employees=[10, 80, None][n % 3], email_opens_30d=n % 4,
            has_case_study=[True, False, None][n % 3],
        )  # fmt: skip

    new_spec, old_spec = version_spec(draft), version_spec(published)
    pairs = {
        (p.total, p.qualified, p.published_total, p.published_qualified): p.count for p in _pairs([new_spec, old_spec])
    }

    expected = Counter()
    for customer in Customer.objects.all():
        new, old = (scoring.score(spec, customer_attributes(customer)) for spec in (new_spec, old_spec))
        expected[new.total, new.qualified, old.total, old.qualified] += 1
    assert pairs == dict(expected)
    assert len(pairs) > 3, "the base spreads over several pairs of totals"


def _gate(version, field, operator, values, gate, points=0, group="fit"):
    version.refresh_from_db()
    criterion_add(
        version=version, field=field, operator=operator, values=values, bands=[], points=points, group=group,
        label=field, revision=version.revision, user=None, gate=gate,
    )  # fmt: skip


def test_it_counts_who_qualifies_enters_and_leaves_through_the_gates_and_caps(versions):
    """Published: industry Software +3, threshold 3. The draft keeps it, adds a disqualifier (North Korea), a
    must-have (10 employees or more) and website visits of 10 or more (+3, but engagement is capped at 2), and
    lowers the threshold to 2."""
    published, _ = versions
    published.rubric.versions.filter(status=VersionStatus.DRAFT).delete()
    draft = draft_create(rubric=published.rubric, user=None)
    _gate(draft, "country", "in", ["North Korea"], "never")
    _gate(draft, "employees", "gte", [10], "must")
    _gate(draft, "website_visits_30d", "gte", [10], "", points=3, group="engagement")
    draft.refresh_from_db()
    version_settings_update(
        version=draft, threshold=2, min_points=-3, max_points=3, grades=[], note="", caps={"engagement": 2},
        revision=draft.revision, user=None,
    )  # fmt: skip
    planted = [
        # name, industry, country, employees, visits: published (total, qualified) → draft (total, qualified)
        ("Stays", "Software", "France", 50, 0),  # 3 yes → 3 yes
        ("Competitor country", "Software", "North Korea", 50, 0),  # 3 yes → 3, disqualified
        ("Too small", "Software", "France", 5, 0),  # 3 yes → 3, misses the must-have
        ("Size unknown", "Software", "France", None, 0),  # 3 yes → 3, needs data
        ("Never", "Retail", "France", 50, 0),  # 0 no → 0 no
        ("Country unknown", "Software", "", 50, 0),  # 3 yes → 3 yes: no data does not disqualify
        ("Engaged", "Retail", "France", 50, 20),  # 0 no → 2 (3 capped at 2) yes: enters
        ("Engaged competitor", "Retail", "North Korea", 50, 20),  # 0 no → 2, disqualified
    ]
    for name, industry, country, employees, visits in planted:
        CustomerFactory(name=name, industry=industry, country=country, employees=employees, website_visits_30d=visits)

    preview = version_preview(version=draft)

    assert (preview.customers, preview.qualified, preview.published_qualified) == (8, 3, 5)
    assert (preview.entering, preview.leaving) == (1, 3)
    assert [customer["name"] for customer in preview.entering_sample] == ["Engaged"]
    assert [customer["name"] for customer in preview.leaving_sample] == [
        "Competitor country",
        "Too small",
        "Size unknown",
    ]
    assert [(bar.total, bar.count, bar.qualified_count) for bar in preview.bars] == [(0, 1, 0), (2, 2, 1), (3, 5, 2)]


def test_the_preview_page_says_how_many_of_a_total_qualify(client_as, versions):
    _, draft = versions
    _gate(draft, "country", "in", ["North Korea"], "never")
    CustomerFactory(industry="Software", country="France", website_visits_30d=12)
    CustomerFactory(industry="Software", country="North Korea", website_visits_30d=12)

    response = client_as(Role.ADMIN).get(reverse("rubrics:version_preview", kwargs={"version_id": draft.pk}))

    page = response.content.decode()
    assert "(1 qualify)" in page
    assert "must-haves and disqualifiers" in page
