"""Fit, AUC and deciles of a rubric with must-haves, a disqualifier and a cap, against a count by hand.

Fit is the stored qualified flag (not the total against the threshold), and the AUC and the deciles order
customers by rank: whoever passes the gates above whoever does not, then by total.
"""

import itertools

import pytest

from analytics.accuracy import accuracy_measure
from analytics.segments import segments_compare
from rubrics.models import Criterion, RubricVersion

from .factories import gated_icp, result_by_hand

pytestmark = pytest.mark.django_db


@pytest.fixture
def gated(db):
    return gated_icp()


def _auc_by_hand(scored: list[tuple[int, str]]) -> float:
    won = [rank for rank, outcome in scored if outcome == "won"]
    lost = [rank for rank, outcome in scored if outcome == "lost"]
    return sum((w > lo) + 0.5 * (w == lo) for w, lo in itertools.product(won, lost)) / (len(won) * len(lost))


def test_fit_is_who_qualifies_through_the_gates_not_who_reaches_the_threshold(gated):
    results = {c.pk: result_by_hand(gated.published, c) for c in gated.customers}
    qualified = [c for c in gated.customers if results[c.pk].qualified]
    stopped = [c for c in gated.customers if results[c.pk].total >= 3 and not results[c.pk].qualified]

    segments = {
        segment.key: segment for segment in segments_compare(rubric=gated.rubric, version=gated.published).segments
    }
    measured = accuracy_measure(rubric=gated.rubric, version=gated.published)

    assert stopped, "the gates keep some customers out whatever their total"
    assert segments["fit"].outcomes.customers == measured.published.fit.outcomes.customers == len(qualified)
    assert segments["not_fit"].outcomes.customers == len(gated.customers) - len(qualified)
    assert segments["fit"].outcomes.won == sum(c.deal_outcome == "won" for c in qualified)
    assert "every must-have, no disqualifier" in segments["fit"].label


def test_the_auc_and_the_deciles_order_customers_by_rank(gated):
    results = {c.pk: result_by_hand(gated.published, c) for c in gated.customers}

    measured = accuracy_measure(rubric=gated.rubric, version=gated.published)

    scored = [(results[c.pk].rank, c.deal_outcome) for c in gated.customers]
    assert measured.published.auc.value == pytest.approx(_auc_by_hand(scored), abs=1e-12)
    by_total = [(results[c.pk].total, c.deal_outcome) for c in gated.customers]
    assert measured.published.auc.value != pytest.approx(_auc_by_hand(by_total), abs=1e-6)
    deciles = measured.published.deciles
    assert sum(band.outcomes.customers for band in deciles) == len(gated.customers)
    # The top decile holds customers who pass the gates only; those who do not fill the bottom ones.
    top = [c for c in gated.customers if results[c.pk].passes_gates and results[c.pk].total >= deciles[0].min_score]
    assert deciles[0].outcomes.customers == len(top)
    assert deciles[-1].outcomes.customers == sum(
        1 for c in gated.customers if not results[c.pk].passes_gates and results[c.pk].total <= deciles[-1].max_score
    )


def test_it_compares_with_a_gated_version_computed_on_the_fly_by_rank(gated):
    draft = RubricVersion.objects.create(rubric=gated.rubric, number=3, threshold=2, caps={"engagement": 1})
    Criterion.objects.create(version=draft, field="industry", operator="in", values=["Software"], points=2)
    Criterion.objects.create(version=draft, field="website_visits_30d", operator="gte", values=[20], points=2)
    Criterion.objects.create(version=draft, field="region", operator="in", values=["APAC"], points=0, gate="never")

    measured = accuracy_measure(rubric=gated.rubric, version=gated.published, against=draft)

    drafted = {c.pk: result_by_hand(draft, c) for c in gated.customers}
    scored = [(drafted[c.pk].rank, c.deal_outcome) for c in gated.customers]
    assert measured.other.auc.value == pytest.approx(_auc_by_hand(scored), abs=1e-12)
    assert measured.other.fit.outcomes.customers == sum(result.qualified for result in drafted.values())
    published = [(result_by_hand(gated.published, c).rank, c.deal_outcome) for c in gated.customers]
    assert measured.published.auc.value == pytest.approx(_auc_by_hand(published), abs=1e-12)
