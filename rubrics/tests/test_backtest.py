"""The backtest of a draft against the published version, and the publish that asks for a reason when it is
worse: on planted bases whose AUC, lift and captured share are counted by hand."""

import pytest
from django.urls import reverse

from analytics.tests.factories import planted_grid
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from profiles.models import Profile
from rubrics.backtest import backtest_of, counted_rows
from rubrics.models import Criterion, Rubric, RubricVersion
from rubrics.selectors import version_spec
from rubrics.services.publishing import WorseThanPublished, rubric_publish
from teams.models import Role

pytestmark = pytest.mark.django_db


def _version(rubric, number, status, threshold, criteria):
    version = RubricVersion.objects.create(rubric=rubric, number=number, status=status, threshold=threshold)
    for position, (field, operator, values, points, gate) in enumerate(criteria):
        Criterion.objects.create(
            version=version,
            position=position,
            field=field,
            operator=operator,
            values=values,
            points=points,
            gate=gate,
            label=f"{field} {operator}",
        )
    return version


@pytest.fixture
def rubric():
    return Rubric.objects.create(profile=Profile.objects.create(name="ICP"), name="Fit")


def test_a_must_have_rubric_reproduces_the_lift_and_auc_of_the_planted_rule(rubric):
    """The planted truth: one of two industries AND 200 to 2,000 employees AND one of four countries."""
    planted_grid()
    rule = _version(
        rubric,
        1,
        "draft",
        0,
        [
            ("industry", "in", ["Software", "Healthcare"], 0, "must"),
            ("employees", "between", [200, 2000], 0, "must"),
            ("country", "in", ["Germany", "France", "Spain", "Italy"], 0, "must"),
        ],
    )
    specs = [version_spec(rule)]

    backtest = backtest_of(specs, counted_rows(specs))

    # By hand: 2 industries x 4 countries x 3 sizes (200, 800, 2,000) fit: 24 x 10 deals, 144 won and 96 lost;
    # the other 376 combinations: 752 won and 3,008 lost.
    won, lost, fit_won, fit_lost = 896, 3104, 144, 96
    draft = backtest.draft
    assert (draft.won, draft.lost, draft.qualified_won, draft.qualified_lost) == (won, lost, fit_won, fit_lost)
    assert draft.lift == pytest.approx((fit_won / (fit_won + fit_lost)) / (won / (won + lost)))
    assert draft.captured.value == pytest.approx(fit_won / won)
    # A rule that says yes or no ranks two groups: AUC = (1 + true positive rate - false positive rate) / 2.
    assert draft.auc.value == pytest.approx((1 + fit_won / won - fit_lost / lost) / 2)
    assert draft.auc.value == pytest.approx(0.5649, abs=1e-4)


@pytest.fixture
def published_and_worse(rubric):
    """Industry decides: Software wins 60 of 80 deals, Retail 20 of 80. The published version scores Software,
    the draft scores Retail: the draft separates won from lost worse."""
    for industry, won, lost in (("Software", 60, 20), ("Retail", 20, 60)):
        for outcome, count in (("won", won), ("lost", lost)):
            Customer.objects.bulk_create(
                CustomerFactory.build(industry=industry, deal_outcome=outcome) for _ in range(count)
            )
    published = _version(rubric, 1, "published", 3, [("industry", "in", ["Software"], 3, "")])
    draft = _version(rubric, 2, "draft", 3, [("industry", "in", ["Retail"], 3, "")])
    return published, draft


def test_the_backtest_says_when_the_draft_separates_worse(published_and_worse):
    published, draft = published_and_worse
    specs = [version_spec(draft), version_spec(published)]

    backtest = backtest_of(specs, counted_rows(specs))

    # Published (Software above Retail): a won Software deal outranks the 60 lost Retail deals and ties with the
    # 20 lost Software ones; a won Retail deal ties with the 60 lost Retail ones.
    # AUC = (60·60 + ½·60·20 + ½·20·60) / (80·80) = 0.75; the draft ranks them the other way: 0.25.
    assert backtest.published.auc.value == pytest.approx(0.75)
    assert backtest.draft.auc.value == pytest.approx(0.25)
    assert backtest.worse
    assert backtest.better == "published"
    assert backtest.sentence.startswith(
        "The draft separates won from lost deals worse than the published version: AUC 0.250"
    )
    assert backtest.draft.captured.value == pytest.approx(20 / 80)
    assert backtest.published.lift == pytest.approx(0.75 / 0.5)


def test_publishing_a_worse_draft_asks_for_a_reason_and_publishes_nothing(published_and_worse):
    published, draft = published_and_worse

    with pytest.raises(WorseThanPublished):
        rubric_publish(version=draft, user=None)
    with pytest.raises(WorseThanPublished):
        rubric_publish(version=draft, user=None, confirm_worse="   ")

    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == ("draft", "published")


def test_a_worse_draft_is_published_with_its_reason_and_backtest_kept(published_and_worse):
    _, draft = published_and_worse

    rubric_publish(version=draft, user=None, confirm_worse="Retail is our new market; the past says little.")

    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.publish_reason == "Retail is our new market; the past says little."
    assert draft.backtest["better"] == "published"
    assert draft.backtest["draft_auc"] == pytest.approx(0.25)


def test_a_better_draft_needs_no_reason(rubric, published_and_worse):
    published, worse = published_and_worse
    worse.delete()
    better = _version(rubric, 3, "draft", 3, [("industry", "in", ["Software"], 3, "")])
    Criterion.objects.filter(version=published).update(values=["Retail"])

    rubric_publish(version=better, user=None)

    better.refresh_from_db()
    assert better.status == "published"
    assert better.publish_reason == ""
    assert better.backtest["better"] == "draft"


def test_the_preview_shows_the_backtest_verdict(client_as, published_and_worse):
    _, draft = published_and_worse

    page = client_as(Role.ADMIN).get(reverse("rubrics:version_preview", args=[draft.pk])).content.decode()

    assert "The draft separates won from lost deals worse than the published version" in page
    assert "Publish v2 anyway" in page


def test_the_publish_view_asks_again_with_a_409_then_keeps_the_reason_in_the_history(client_as, published_and_worse):
    _, draft = published_and_worse
    client = client_as(Role.ADMIN)
    url = reverse("rubrics:version_publish", args=[draft.pk])

    asked = client.post(url, {})
    kept = client.post(url, {"confirm_worse": "A new market"})

    assert asked.status_code == 409
    assert "Why publish it anyway?" in asked.content.decode()
    assert kept.status_code == 302
    history = client.get(reverse("rubrics:rubric_detail", args=[draft.rubric_id])).content.decode()
    assert "Published over a worse backtest, because: “A new market”" in history


def test_owners_get_their_qualified_leads_counted_for_both_versions(client_as, published_and_worse, make_person):
    published, draft = published_and_worse
    rep = make_person(Role.SALES_REP, first_name="Riley", last_name="Rep")
    Customer.objects.filter(industry="Software").update(owner=rep)
    specs = [version_spec(draft), version_spec(published)]

    backtest = backtest_of(specs, counted_rows(specs))

    owners = {owner.name: (owner.draft, owner.published) for owner in backtest.owners}
    assert owners == {rep.display_name: (0, 80), "Unassigned": (80, 0)}


def test_a_draft_that_ranks_every_deal_alike_is_said_to(published_and_worse, rubric):
    published, worse = published_and_worse
    worse.delete()
    same = _version(rubric, 3, "draft", 3, [("industry", "in", ["Software"], 3, "")])
    specs = [version_spec(same), version_spec(published)]

    backtest = backtest_of(specs, counted_rows(specs))

    assert backtest.sentence == "The draft ranks won and lost deals as the published version does: AUC 0.750 (95%: " + (
        f"{backtest.draft.auc.low:.3f} to {backtest.draft.auc.high:.3f})."
    )
    assert not backtest.worse
