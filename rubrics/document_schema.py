"""The rubric document and the publish answers as OpenAPI schemas, for the API's description (rubrics/api.py).

The schema says the shape; ``document_format.document_read`` says the rest (which fields, operators per field,
points within the version's range, a reachable threshold), answering 400 by location.
"""

from drf_spectacular.utils import OpenApiExample

from . import scoring
from .document_format import (
    BAND_LABEL_LIMIT,
    CAP_LIMIT,
    FORMAT,
    GRADE_LABEL_LIMIT,
    GRADES_LIMIT,
    LABEL_LIMIT,
    NAME_LIMIT,
    NOTE_LIMIT,
    POINTS_LIMIT,
    VALUE_LIMIT,
    VALUES_LIMIT,
)

_BOUND = {"type": "number", "nullable": True, "description": "Null: no bound on this side."}
BAND = {
    "type": "object",
    "additionalProperties": False,
    "required": ["points"],
    "properties": {
        "label": {"type": "string", "maxLength": BAND_LABEL_LIMIT, "default": ""},
        "min": _BOUND,
        "max": _BOUND,
        "points": {"type": "integer"},
    },
}
CRITERION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["field", "operator"],
    "description": "One rule. Written with the keys its operator uses: `values` for in, not_in, contains_any "
    "(texts), gte, lte (one number), between (two); `bands` instead of `points` for bands; neither for true, "
    "false and empty.",
    "properties": {
        "label": {"type": "string", "maxLength": LABEL_LIMIT, "default": ""},
        "group": {"type": "string", "enum": list(scoring.GROUPS), "default": "fit"},
        "field": {
            "type": "string",
            "description": "A customer field (`industry`, `employees`, `website_visits_30d`, …) or "
            "`extra.<key>` for an extra attribute.",
        },
        "operator": {"type": "string", "enum": list(scoring.OPERATORS)},
        "values": {
            "type": "array",
            "maxItems": VALUES_LIMIT,
            "items": {"oneOf": [{"type": "string", "maxLength": VALUE_LIMIT}, {"type": "number"}]},
            "default": [],
        },
        "bands": {"type": "array", "items": BAND, "maxItems": scoring.MAX_SLOTS, "default": []},
        "points": {"type": "integer", "default": 0, "description": "Within the version's min_points..max_points."},
        "gate": {
            "type": "string",
            "enum": list(scoring.GATES),
            "default": "",
            "description": '"" adds points only; "must": a must-have; "never": a disqualifier.',
        },
        "decay": {
            "type": "object",
            "additionalProperties": False,
            "required": ["event_type", "points", "half_life"],
            "description": "A number field's criterion reading events instead (the field is used for accounts "
            "without events): each event worth `points`, halved every `half_life` days, at most `cap_per_day` "
            "events a day and `cap_total` in all (null: no cap).",
            "properties": {
                "event_type": {"type": "string", "maxLength": 50},
                "points": {"type": "number", "minimum": 0},
                "half_life": {"type": "number", "minimum": 0, "description": "Days, above 0."},
                "cap_per_day": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
                "cap_total": {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}]},
            },
        },
    },
}
DOCUMENT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "threshold", "criteria"],
    "description": "A rubric version (format icp-rubric/1). Keys are written in this order; the settings always, "
    "a criterion with the keys its operator uses.",
    "properties": {
        "format": {"type": "string", "enum": [FORMAT]},
        "profile": {"type": "string", "maxLength": NAME_LIMIT, "description": "Ignored by the API."},
        "rubric": {"type": "string", "maxLength": NAME_LIMIT, "description": "Ignored by the API."},
        "threshold": {"type": "integer", "description": "Points a customer needs to qualify; reachable."},
        "min_points": {"type": "integer", "minimum": -POINTS_LIMIT, "maximum": POINTS_LIMIT, "default": -3},
        "max_points": {"type": "integer", "minimum": -POINTS_LIMIT, "maximum": POINTS_LIMIT, "default": 3},
        "grades": {
            "type": "array",
            "maxItems": GRADES_LIMIT,
            "default": [],
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["label", "min"],
                "properties": {
                    "label": {"type": "string", "maxLength": GRADE_LABEL_LIMIT},
                    "min": {"type": "integer"},
                },
            },
        },
        "caps": {
            "type": "object",
            "additionalProperties": False,
            "default": {},
            "description": "The most points a group adds to the total.",
            "properties": {group: {"type": "integer", "minimum": 0, "maximum": CAP_LIMIT} for group in scoring.GROUPS},
        },
        "note": {"type": "string", "maxLength": NOTE_LIMIT, "default": ""},
        "criteria": {"type": "array", "items": CRITERION, "maxItems": scoring.MAX_SLOTS},
    },
}
DOCUMENT_EXAMPLE = OpenApiExample(
    "A lead score with a must-have, a disqualifier and a cap",
    value={
        "format": FORMAT,
        "profile": "Core ICP",
        "rubric": "Lead score",
        "threshold": 4,
        "min_points": -3,
        "max_points": 3,
        "grades": [{"label": "A", "min": 6}, {"label": "B", "min": 4}],
        "caps": {"engagement": 3},
        "note": "Software only; competitors never.",
        "criteria": [
            {
                "label": "Industry match",
                "group": "fit",
                "field": "industry",
                "operator": "in",
                "values": ["Software"],
                "points": 3,
                "gate": "must",
            },
            {
                "label": "Competitor",
                "group": "fit",
                "field": "extra.competitor",
                "operator": "true",
                "points": 0,
                "gate": "never",
            },
            {
                "label": "Website visits",
                "group": "engagement",
                "field": "website_visits_30d",
                "operator": "bands",
                "bands": [
                    {"label": "high", "min": 10, "max": None, "points": 3},
                    {"label": "low", "min": 1, "max": 9, "points": 1},
                ],
                "gate": "",
            },
        ],
    },
)
PUBLISHED = {
    "type": "object",
    "required": ["version", "job", "job_page", "waiting"],
    "properties": {
        "version": {"type": "integer", "description": "The number of the version now published."},
        "job": {"type": "integer", "description": "The id of the re-score job."},
        "job_page": {"type": "string", "format": "uri", "description": "The job's progress page."},
        "waiting": {"type": "boolean", "description": "The job waits for the job queue, unreachable just now."},
    },
}
WORSE = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string"},
        "backtest": {
            "type": "object",
            "description": "Only when the draft backtests worse: the draft against the published version on the "
            "decided deals.",
            "properties": {
                "sentence": {"type": "string"},
                "better": {"type": "string", "nullable": True, "enum": ["draft", "published", None]},
                "draft_auc": {"type": "number", "nullable": True},
                "published_auc": {"type": "number", "nullable": True},
                "p_value": {"type": "number", "nullable": True},
                "won": {"type": "integer"},
                "lost": {"type": "integer"},
            },
        },
    },
}
