"""The same figures on SQLite and PostgreSQL: a run on each database compares with the same numbers.

The numbers were computed once from the planted base (a seeded RNG, so the same base everywhere); a
difference between the databases (a rounding, a NULL handled differently, an integer division, a tie
ranked differently by the quantile bins of a band) breaks the run on one of them.
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
    won = traits_discover(rubric=icp.rubric, basis=BASES["won"])
    traits = won.traits[:4]
    clv = traits_discover(rubric=icp.rubric, basis=BASES["clv"])

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
        # Sets, bands (quantile bins by RANK() and integer division in each database) and pairs.
        "combined": [_combined(trait) for trait in (*won.combined, *clv.combined)],
        "pairs": [(_rounded(pair.odds_ratio), _rounded(pair.p_value), pair.both.everyone) for pair in won.pairs],
        "clv population": (clv.best_total, clv.everyone_total, clv.cut),
    }

    assert figures == EXPECTED


def _combined(trait):
    return (
        trait.attribute.field,
        trait.value,
        trait.best,
        trait.everyone,
        _rounded(trait.raw_p_value),
        trait.candidates,
    )


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
        ("Software", 204, 509, 5.95304962e-14),
        ("Healthcare", 181, 506, 3.7917829e-07),
        ("1,000 to 1,999", 205, 619, 4.6184432e-05),
        ("200 to 999", 202, 622, 0.000233353026),
    ],
    "combined": [
        ("industry", "one of Software, Healthcare", 385, 1015, 1.92850865e-23, 62),
        ("employees", "between 183 and 2,085", 427, 1313, 1.58499956e-10, 2079),
        ("region", "one of EMEA, APAC", 617, 2255, 0.134367301, 6),
        ("country", "one of Germany, France, Japan", 617, 2255, 0.134367301, 14),
        ("website_visits_30d", "exactly 37", 27, 69, 0.0178556001, 860),
        ("annual_revenue", "between 294,000,000 and 434,000,000", 250, 842, 0.0192837319, 2079),
        ("industry", "one of Retail, Education, Logistics", 49, 314, 9.64496593e-05, 62),
        ("region", "one of APAC, North America", 43, 387, 0.508652598, 6),
        ("country", "one of Japan, United States, France", 65, 594, 0.371185355, 14),
        ("website_visits_30d", "exactly 30", 5, 22, 0.0679584936, 796),
        ("annual_revenue", "between 467,000,000 and 484,000,000", 7, 26, 0.0128658838, 2015),
        ("employees", "between 15 and 21", 7, 27, 0.0159302328, 2015),
    ],
    "pairs": [(4.54145287, 1.42034493e-17, 460)],
    "clv population": (83, 800, 360000),
}
