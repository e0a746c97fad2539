"""The same figures on SQLite and PostgreSQL: a run on each database compares with the same numbers.

The numbers were computed once from the planted base (a seeded RNG, so the same base everywhere); a
difference between the databases (a rounding, a NULL handled differently, an integer division) breaks
the run on one of them.
"""

import pytest

from analytics.accuracy import accuracy_measure, previous_version
from analytics.segments import segments_compare
from analytics.traits import BASES, traits_discover

pytestmark = pytest.mark.django_db


def _rounded(value):
    """Nine significant digits: the databases add floating point numbers in different orders."""
    return None if value is None else float(f"{value:.9g}")


def test_it_gives_the_same_figures_on_every_database(icp):
    accuracy = accuracy_measure(rubric=icp.rubric, version=icp.published, against=previous_version(icp.published))
    segments = {
        segment.key: segment.outcomes for segment in segments_compare(rubric=icp.rubric, version=icp.published).segments
    }
    traits = traits_discover(rubric=icp.rubric, basis=BASES["won"]).traits[:4]

    figures = {
        "auc": [
            _rounded(x) for x in (accuracy.published.auc.value, accuracy.published.auc.low, accuracy.published.auc.high)
        ],
        "compared auc": _rounded(accuracy.other.auc.value),
        "comparison z": _rounded(accuracy.comparison.z),
        "grade lifts": [_rounded(band.conversion_lift) for band in accuracy.published.grades],
        "decile scores": [
            (band.min_score, band.max_score, band.outcomes.customers) for band in accuracy.published.deciles
        ],
        "fit clv": [
            _rounded(x)
            for x in (
                segments["fit"].average_clv.value,
                segments["fit"].average_clv.low,
                segments["fit"].average_clv.high,
            )
        ],
        "fit nps": [
            _rounded(x) for x in (segments["fit"].nps.value, segments["fit"].nps.low, segments["fit"].nps.high)
        ],
        "not fit sentiment": [
            _rounded(x)
            for x in (segments["not_fit"].average_sentiment.value, segments["not_fit"].average_sentiment.low)
        ],
        "traits": [(trait.value, trait.best, trait.everyone, _rounded(trait.p_value)) for trait in traits],
    }

    assert figures == EXPECTED


EXPECTED = {
    "auc": [0.62270483, 0.599156902, 0.646252757],
    "compared auc": 0.558181818,
    "comparison z": 6.0038482,
    "grade lifts": [2.154047, 0.909090909, 0.807549505, 0.545454545],
    "decile scores": [(5, 6, 383), (4, 4, 277), (3, 3, 614), (2, 2, 475), (1, 1, 537), (0, 0, 604), (-1, -1, 110)],
    "fit clv": [196158.94, 183910.803, 208407.078],
    "fit nps": [-45.3061224, -54.399128, -35.117001],
    "not fit sentiment": [3.17832168, -3.63029734],
    "traits": [
        ("Software", 204, 509, 5.95079541e-14),
        ("Healthcare", 181, 506, 3.7917829e-07),
        ("1,000 to 1,999", 205, 619, 4.6184432e-05),
        ("200 to 999", 202, 622, 0.000233353026),
    ],
}
