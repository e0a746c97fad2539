"""What a version says and what it would do: criteria in plain words, the diff of two versions, the preview.

The preview scores the whole customer base in the database with the rules the
re-score job writes (``compile.versions_scored_sql``: the draft and the
published version in one pass), in one aggregate query, and fetches two small
samples; no customer is scored in Python.
"""

from dataclasses import dataclass, field

from django.db import connection

from customers.models import Customer
from ops.planner import wide_expression_planning

from . import scoring
from .backtest import Backtest, Counted, backtest_remember, counted_rows
from .compile import versions_scored_sql
from .fields import field_label
from .models import Criterion, CriterionGroup, Gate, RubricVersion, VersionStatus
from .selectors import version_spec

SAMPLE_SIZE = 10


GATE_WORDS = {Gate.MUST: "Must-have", Gate.NEVER: "Disqualifier"}


def criterion_condition(criterion: Criterion) -> str:
    """The rule in plain words, without its points, and what it counts as: “Must-have: industry is one of SaaS”."""
    rule = criterion_rule(criterion)
    return f"{GATE_WORDS[criterion.gate]}: {rule}" if criterion.gate in GATE_WORDS else rule


def criterion_rule(criterion: Criterion) -> str:
    """The rule in plain words: “industry is one of Software, SaaS”."""
    words = f"{field_label(criterion.field)} {scoring.OPERATOR_LABELS.get(criterion.operator, criterion.operator)}"
    values = criterion.values or []
    if criterion.operator == "between" and len(values) == 2:
        return f"{words} {values[0]} and {values[1]}"
    if values:
        return f"{words} {', '.join(str(value) for value in values)}"
    return words


def band_words(band: dict) -> str:
    low, high = band.get("min"), band.get("max")
    if low is not None and high is not None:
        span = f"{low} to {high}"
    elif low is not None:
        span = f"{low} or more"
    else:
        span = f"up to {high}"
    label = f"{band['label']}: " if band.get("label") else ""
    return f"{label}{span} → {band['points']:+d}"


def criterion_points(criterion: Criterion) -> str:
    if criterion.operator == "bands":
        return "; ".join(band_words(band) for band in criterion.bands or [])
    return f"{criterion.points:+d}"


# The diff of two versions


@dataclass
class CriterionChange:
    before: Criterion
    after: Criterion
    changes: list[str]


@dataclass
class VersionDiff:
    older: RubricVersion
    newer: RubricVersion
    settings: list[str] = field(default_factory=list)
    added: list[Criterion] = field(default_factory=list)
    removed: list[Criterion] = field(default_factory=list)
    changed: list[CriterionChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.settings or self.added or self.removed or self.changed)


def _key(criterion: Criterion) -> str:
    return (criterion.label or criterion.field).strip().lower()


def _grades_words(grades: list[dict]) -> str:
    return ", ".join(f"{grade['label']} from {grade['min']}" for grade in grades) or "none"


def caps_words(caps: dict | None) -> str:
    """“engagement at most 6, fit at most 10”, or “none”."""
    labels = dict(CriterionGroup.choices)
    words = [f"{labels.get(group, group).lower()} at most {cap}" for group, cap in (caps or {}).items()]
    return ", ".join(words) or "none"


def _criterion_changes(before: Criterion, after: Criterion) -> list[str]:
    changes = []
    if criterion_rule(before) != criterion_rule(after):
        changes.append(f"rule: {criterion_rule(before)} → {criterion_rule(after)}")
    if before.gate != after.gate:
        changes.append(f"counts as: {before.get_gate_display()} → {after.get_gate_display()}")
    if criterion_points(before) != criterion_points(after):
        changes.append(f"points: {criterion_points(before)} → {criterion_points(after)}")
    if before.group != after.group:
        changes.append(f"group: {before.get_group_display()} → {after.get_group_display()}")
    if before.label != after.label:
        changes.append(f"label: “{before.label}” → “{after.label}”")
    return changes


def version_diff(*, older: RubricVersion, newer: RubricVersion) -> VersionDiff:
    """What changed from ``older`` to ``newer``.

    Criteria are paired by their label (or field when unlabelled), in order,
    since a draft's criteria are copies with ids of their own.
    """
    diff = VersionDiff(older=older, newer=newer)
    for name, label in (("threshold", "Threshold"), ("min_points", "Lowest points"), ("max_points", "Highest points")):
        if getattr(older, name) != getattr(newer, name):
            diff.settings.append(f"{label}: {getattr(older, name)} → {getattr(newer, name)}")
    if (older.grades or []) != (newer.grades or []):
        diff.settings.append(f"Grades: {_grades_words(older.grades or [])} → {_grades_words(newer.grades or [])}")
    if (older.caps or {}) != (newer.caps or {}):
        diff.settings.append(f"Caps: {caps_words(older.caps)} → {caps_words(newer.caps)}")
    remaining = list(older.criteria.order_by("position", "id"))
    for criterion in newer.criteria.order_by("position", "id"):
        match = next((old for old in remaining if _key(old) == _key(criterion)), None)
        if match is None:
            diff.added.append(criterion)
            continue
        remaining.remove(match)
        changes = _criterion_changes(match, criterion)
        if changes:
            diff.changed.append(CriterionChange(before=match, after=criterion, changes=changes))
    diff.removed = remaining
    return diff


# The preview of a draft


@dataclass
class Bar:
    total: int
    count: int
    qualified_count: int  # of the ``count`` customers with this total, how many qualify (the gates decide)
    percent: float  # of the tallest bar, for its width on screen
    qualified_percent: float = 0.0

    @property
    def qualified(self) -> bool:
        """Some customers with this total qualify."""
        return self.qualified_count > 0


@dataclass
class Preview:
    version: RubricVersion
    published: RubricVersion | None
    customers: int
    qualified: int
    bars: list[Bar]
    published_qualified: int | None = None
    entering: int | None = None
    leaving: int | None = None
    entering_sample: list[dict] = field(default_factory=list)
    leaving_sample: list[dict] = field(default_factory=list)
    has_gates: bool = False
    backtest: Backtest | None = None


@dataclass(frozen=True)
class Pair:
    """How many customers get this total and qualified flag by the version (and by the published one)."""

    total: int
    qualified: bool
    published_total: int | None
    published_qualified: bool | None
    count: int


def _pairs(specs: list[scoring.Rubric], rows: list[Counted] | None = None) -> list[Pair]:
    """How many customers have each (total, qualified) by the version (``specs[0]``) and by the published one
    (``specs[1]``, if any), from the one aggregate pass over the base (``backtest.counted_rows``)."""
    counts: dict[tuple, int] = {}
    for row in counted_rows(specs) if rows is None else rows:
        key = (
            row.totals[0],
            row.qualified[0],
            *((row.totals[1], row.qualified[1]) if len(specs) > 1 else (None, None)),
        )
        counts[key] = counts.get(key, 0) + row.count
    return [Pair(*key, count) for key, count in counts.items()]


def _sample(specs: list[scoring.Rubric], condition: str) -> list[dict]:
    """The first customers (by id) for whom ``condition`` holds over the scored columns."""
    columns = ("name", "industry", "country")
    sql, params = versions_scored_sql(specs, Customer.objects.order_by("pk"), extra_columns=columns)
    picked = (
        f"SELECT id, {', '.join(columns)}, total_0, total_1 FROM ({sql}) AS scored"
        f" WHERE {condition} ORDER BY id LIMIT {SAMPLE_SIZE}"
    )
    with connection.cursor() as cursor:
        cursor.execute(picked, params)
        names = ("pk", *columns, "draft_total", "published_total")
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _bars(pairs: list[Pair]) -> list[Bar]:
    counts: dict[int, list[int]] = {}
    for pair in pairs:
        counted = counts.setdefault(pair.total, [0, 0])
        counted[0] += pair.count
        counted[1] += pair.count if pair.qualified else 0
    tallest = max((count for count, _ in counts.values()), default=0)
    return [
        Bar(
            total=total,
            count=count,
            qualified_count=qualified,
            percent=100 * count / tallest,
            qualified_percent=100 * qualified / tallest,
        )
        for total, (count, qualified) in sorted(counts.items())
    ]


def version_preview(*, version: RubricVersion) -> Preview:
    """How the version would score the whole customer base, compared with the rubric's published version.

    1. One grouped query: customers per (total, qualified) by the version and by the published one, with their
       owner and deal outcome (backtest.counted_rows), summed into the histogram, who would qualify, enter and
       leave (qualified: through the gates and at the threshold), and the backtest on the decided deals.
    2. Two small queries: the first customers (by id) entering, and leaving.
    """
    published = (
        version.rubric.versions.filter(status=VersionStatus.PUBLISHED).exclude(pk=version.pk).first()
        if version.status != VersionStatus.PUBLISHED
        else None
    )
    specs = [version_spec(version)] + ([version_spec(published)] if published is not None else [])
    rows = counted_rows(specs)
    pairs = _pairs(specs, rows)
    bars = _bars(pairs)
    with wide_expression_planning():
        preview = Preview(
            version=version,
            published=published,
            customers=sum(pair.count for pair in pairs),
            qualified=sum(pair.count for pair in pairs if pair.qualified),
            bars=bars,
            has_gates=specs[0].has_gates,
            backtest=backtest_remember(specs, rows),
        )
        if published is not None:
            preview.published_qualified = sum(pair.count for pair in pairs if pair.published_qualified)
            preview.entering = sum(p.count for p in pairs if p.qualified and not p.published_qualified)
            preview.leaving = sum(p.count for p in pairs if not p.qualified and p.published_qualified)
            if preview.entering:
                preview.entering_sample = _sample(specs, "qualified_0 AND NOT qualified_1")
            if preview.leaving:
                preview.leaving_sample = _sample(specs, "qualified_1 AND NOT qualified_0")
    return preview
