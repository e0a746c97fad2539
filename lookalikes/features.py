"""What "similar" compares, and a customer turned into a row of small integer codes (no Django here).

Each feature of a customer becomes one code (three for the contact titles):

- ``NO_DATA`` (0): the customer has no value. It never matches anything, as in scoring: "no data", not zero.
- ``UNKNOWN`` (1): a value the encoding has never seen (new since it was learned); it matches nothing either.
- 2 and up: a category's value (the encoding's list of values) or a number's band (fixed bands, below).

A row also carries codes that only filter (lifecycle stage, owned or not, deal outcome). An ``Encoding`` (the
values of each category, learned from the base) is stored as JSON with the similarity model that used it.
"""

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

NO_DATA = 0
UNKNOWN = 1
FIRST_VALUE = 2

CATEGORY = "category"
NUMBER = "number"
TITLES = "titles"

FIRMOGRAPHICS = "firmographics"
ENGAGEMENT = "engagement"

MAX_VALUES = 2_000  # values kept per category (the most frequent), so that a code fits in an int16
TITLE_SLOTS = 3  # contact titles compared per customer: its first three


@dataclass(frozen=True)
class Feature:
    name: str  # the customer's field
    label: str
    kind: str
    group: str
    default_weight: float  # used until there are enough won and lost deals to learn it
    bands: tuple[float, ...] = ()  # a number's band edges: band i holds values in [bands[i-1], bands[i])
    unit: str = ""


ENGAGEMENT_BANDS = (1, 2, 4, 8, 16, 32, 64, 128)
FEATURES = (
    Feature("industry", "Industry", CATEGORY, FIRMOGRAPHICS, 1.0),
    Feature("country", "Country", CATEGORY, FIRMOGRAPHICS, 0.5),
    Feature("region", "Region", CATEGORY, FIRMOGRAPHICS, 0.5),
    Feature(
        "employees",
        "Employees",
        NUMBER,
        FIRMOGRAPHICS,
        1.0,
        bands=(10, 25, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000),
        unit="employees",
    ),
    Feature(
        "annual_revenue",
        "Annual revenue",
        NUMBER,
        FIRMOGRAPHICS,
        1.0,
        bands=(100_000, 300_000, 1e6, 3e6, 1e7, 3e7, 1e8, 3e8, 1e9, 3e9),
    ),
    Feature("contact_titles", "Contact titles", TITLES, FIRMOGRAPHICS, 0.5),
    Feature("website_visits_30d", "Website visits (30 days)", NUMBER, ENGAGEMENT, 0.25, bands=ENGAGEMENT_BANDS),
    Feature("email_opens_30d", "Email opens (30 days)", NUMBER, ENGAGEMENT, 0.25, bands=ENGAGEMENT_BANDS),
    Feature("email_clicks_30d", "Email clicks (30 days)", NUMBER, ENGAGEMENT, 0.25, bands=ENGAGEMENT_BANDS),
    Feature("social_engagements_30d", "Social engagements (30 days)", NUMBER, ENGAGEMENT, 0.25, bands=ENGAGEMENT_BANDS),
)
FEATURE_NAMES = tuple(feature.name for feature in FEATURES)
BY_NAME = {feature.name: feature for feature in FEATURES}


def _columns() -> dict[str, tuple[int, ...]]:
    columns, at = {}, 0
    for feature in FEATURES:
        width = TITLE_SLOTS if feature.kind == TITLES else 1
        columns[feature.name] = tuple(range(at, at + width))
        at += width
    return columns


COLUMNS = _columns()  # feature name -> its columns in a row of codes
STAGE = sum(len(columns) for columns in COLUMNS.values())  # filter columns after the features
OWNED = STAGE + 1
OUTCOME = STAGE + 2
WIDTH = STAGE + 3
STAGES = ("prospect", "lead", "opportunity", "customer", "churned")
OUTCOMES = ("open", "won", "lost")
FIELDS = (*FEATURE_NAMES, "lifecycle_stage", "owner_id", "deal_outcome")  # what encoding reads of a customer
CODE_TYPE = np.dtype("<i2")


def title_list(text: str) -> list[str]:
    """A customer's contact titles, as compared: case and spacing ignored."""
    return [" ".join(title.split()).casefold() for title in (text or "").split(";") if title.strip()]


def category_key(value) -> str:
    return " ".join(str(value).split()).casefold() if value not in (None, "") else ""


@dataclass(frozen=True)
class Encoding:
    """Each category's values, most frequent first (code 2 is the first); titles are compared case folded."""

    values: Mapping[str, tuple[str, ...]]

    def code_of(self, name: str, value) -> int:
        key = category_key(value)
        if not key:
            return NO_DATA
        return self._index(name).get(key, UNKNOWN)

    def _index(self, name: str) -> dict[str, int]:
        cache = self.__dict__.setdefault("_indexes", {})
        if name not in cache:
            cache[name] = {category_key(value): FIRST_VALUE + i for i, value in enumerate(self.values.get(name, ()))}
        return cache[name]

    def value_of(self, name: str, code: int) -> str | None:
        """The value a code stands for (a band's range for a number), or None for no data."""
        feature = BY_NAME[name]
        if code == NO_DATA:
            return None
        if feature.kind == NUMBER:
            return band_text(feature, code - FIRST_VALUE)
        if code == UNKNOWN:
            return "another value"
        values = self.values.get(name, ())
        return values[code - FIRST_VALUE] if code - FIRST_VALUE < len(values) else "another value"

    def size(self, name: str) -> int:
        """How many codes the feature has (no data and unknown included)."""
        feature = BY_NAME[name]
        if feature.kind == NUMBER:
            return FIRST_VALUE + len(feature.bands) + 1
        return FIRST_VALUE + len(self.values.get(name, ()))

    def sizes(self) -> dict[str, int]:
        return {feature.name: self.size(feature.name) for feature in FEATURES}

    def as_json(self) -> dict:
        return {name: list(values) for name, values in self.values.items()}

    @classmethod
    def from_json(cls, data: Mapping) -> "Encoding":
        return cls(values={name: tuple(values) for name, values in data.items()})


def encoding_learn(counts: Mapping[str, Iterable[tuple[str, int]]]) -> Encoding:
    """The encoding from each category's (value, customers) counts; titles' counts are per title already."""
    values = {}
    for feature in FEATURES:
        if feature.kind == NUMBER:
            continue
        merged: dict[str, tuple[str, int]] = {}
        for value, count in counts.get(feature.name, ()):
            key = category_key(value)
            if key:
                spelling, before = merged.get(key, (value, 0))
                merged[key] = (spelling, before + count)
        ranked = sorted(merged.values(), key=lambda item: (-item[1], item[0]))
        values[feature.name] = tuple(value for value, _ in ranked[:MAX_VALUES])
    return Encoding(values=values)


def band_of(feature: Feature, value) -> int:
    return bisect.bisect_right(feature.bands, value)


def band_text(feature: Feature, band: int) -> str:
    """A band as a person reads it: "200 to 500", "under 10", "10k or more"."""
    edges = feature.bands
    if band <= 0:
        return f"under {_compact(edges[0])}"
    if band >= len(edges):
        return f"{_compact(edges[-1])} or more"
    return f"{_compact(edges[band - 1])} to {_compact(edges[band])}"


def _compact(value: float) -> str:
    value = int(value)
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if value >= size and value % size == 0:
            return f"{value // size}{suffix}"
        if value >= size * 100 and value % (size // 10 or 1) == 0:
            return f"{value / size:g}{suffix}"
    return f"{value:,}"


def encode(row: Mapping, encoding: Encoding) -> list[int]:
    """One customer's codes (``row`` maps FIELDS to values), in column order."""
    codes = [NO_DATA] * WIDTH
    for feature in FEATURES:
        value = row.get(feature.name)
        columns = COLUMNS[feature.name]
        if feature.kind == NUMBER:
            if value is not None:
                codes[columns[0]] = FIRST_VALUE + band_of(feature, value)
        elif feature.kind == TITLES:
            for column, title in zip(columns, title_list(value), strict=False):
                codes[column] = encoding.code_of(feature.name, title)
        else:
            codes[columns[0]] = encoding.code_of(feature.name, value)
    stage = row.get("lifecycle_stage")
    codes[STAGE] = STAGES.index(stage) + 1 if stage in STAGES else NO_DATA
    codes[OWNED] = 1 if row.get("owner_id") is not None else 0
    outcome = row.get("deal_outcome")
    codes[OUTCOME] = OUTCOMES.index(outcome) + 1 if outcome in OUTCOMES else NO_DATA
    return codes


def encode_many(rows: Iterable[Mapping], encoding: Encoding) -> np.ndarray:
    """Customers' codes as an (n, WIDTH) int16 array."""
    codes = [encode(row, encoding) for row in rows]
    return np.array(codes, dtype=CODE_TYPE).reshape(len(codes), WIDTH)
