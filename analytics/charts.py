"""What the pages' charts draw, as plain data for ``json_script`` (static/analytics/charts.js draws it)."""

from .accuracy import Accuracy, Band
from .segments import METRICS, Segments


def _number(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def segments_charts(segments: Segments) -> dict:
    """One chart per metric: each segment's estimate with its 95% interval."""
    charts = {}
    for key, label, attribute, unit in METRICS:
        estimates = [getattr(segment.outcomes, attribute) for segment in segments.segments]
        charts[f"segments-{key}"] = {
            "kind": "estimates",
            "title": label,
            "unit": unit,
            "labels": [segment.label for segment in segments.segments],
            "values": [_number(estimate.value) for estimate in estimates],
            "low": [_number(estimate.low) for estimate in estimates],
            "high": [_number(estimate.high) for estimate in estimates],
            "small": [estimate.small for estimate in estimates],
        }
    return charts


def _lift_chart(title: str, bands: list[Band]) -> dict:
    return {
        "kind": "lift",
        "title": title,
        "labels": [f"{band.label} ({band.scores})" for band in bands],
        "series": [
            {"label": "Conversion", "values": [_number(band.conversion_lift) for band in bands]},
            {"label": "CLV", "values": [_number(band.clv_lift) for band in bands]},
            {"label": "Churn", "values": [_number(band.churn_lift) for band in bands]},
        ],
    }


def accuracy_charts(accuracy: Accuracy) -> dict:
    """Lift per decile and per grade, and the ROC curves of the versions compared."""
    return {
        "accuracy-deciles": _lift_chart("Lift over the base rate by decile of the score", accuracy.published.deciles),
        "accuracy-grades": _lift_chart("Lift over the base rate by grade", accuracy.published.grades),
        "accuracy-roc": {
            "kind": "roc",
            "title": "ROC curve: won against lost deals",
            "series": [
                {
                    "label": f"{version.label}, AUC {version.auc.value:.3f}"
                    if version.auc.value is not None
                    else version.label,
                    "points": [[_number(x), _number(y)] for x, y in version.roc],
                }
                for version in accuracy.measured
            ],
        },
    }
