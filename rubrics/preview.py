"""What a version says and what it would do: criteria in plain words, the diff of two versions, the preview.

The preview scores the whole customer base in the database with the same
expressions the re-score job writes (``compile.score_annotations``), in one
aggregate query, and fetches two small samples; no customer is scored in Python.
"""

import dataclasses
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count

from customers.models import Customer

from . import scoring
from .compile import score_annotations
from .fields import field_label
from .models import Criterion, RubricVersion, VersionStatus
from .selectors import version_spec

SAMPLE_SIZE = 10


def criterion_condition(criterion: Criterion) -> str:
    """The rule in plain words, without its points: “industry is one of Software, SaaS”."""
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


def _criterion_changes(before: Criterion, after: Criterion) -> list[str]:
    changes = []
    if criterion_condition(before) != criterion_condition(after):
        changes.append(f"rule: {criterion_condition(before)} → {criterion_condition(after)}")
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
    qualified: bool
    percent: float  # of the tallest bar, for its width on screen


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


def _total(version: RubricVersion):
    parts = score_annotations(version_spec(version))
    return parts["fit"] + parts["engagement"] + parts["qualitative"]


def _scored(version: RubricVersion, published: RubricVersion | None):
    """Customers with their total by the version (``draft_total``) and by the published one."""
    customers = Customer.objects.order_by().annotate(draft_total=_total(version))
    if published is not None:
        customers = customers.annotate(published_total=_total(published))
    return customers


def _points(spec: scoring.Rubric, criteria: list[scoring.Criterion]):
    """The points these criteria of ``spec`` give a customer, as one expression."""
    parts = score_annotations(dataclasses.replace(spec, criteria=tuple(criteria)))
    return parts["fit"] + parts["engagement"] + parts["qualitative"]


def _rule(criterion: scoring.Criterion) -> tuple:
    return (criterion.field, criterion.kind, criterion.operator, criterion.points, criterion.values, criterion.bands)


def _split(draft: scoring.Rubric, published: scoring.Rubric):
    """The criteria both versions share (same rule, same points), and those only one of them has."""
    remaining, shared, draft_only = list(published.criteria), [], []
    for criterion in draft.criteria:
        twin = next((other for other in remaining if _rule(other) == _rule(criterion)), None)
        if twin is None:
            draft_only.append(criterion)
        else:
            remaining.remove(twin)
            shared.append(criterion)
    return shared, draft_only, remaining


def _pairs(version: RubricVersion, published: RubricVersion | None) -> list[tuple[int, int | None, int]]:
    """How many customers have each (draft total, published total): one pass over the base.

    A draft is mostly its published version with a few criteria changed, so the
    pass sums the shared criteria once and groups by (shared, draft-only,
    published-only) points: every criterion is evaluated once per customer, in
    a plan PostgreSQL can run in parallel, and the two totals are additions
    over the few dozen groups.
    """
    draft = version_spec(version)
    if published is None:
        grouped = Customer.objects.order_by().annotate(total=_points(draft, list(draft.criteria)))
        return [
            (total, None, count)
            for total, count in grouped.values("total").annotate(n=Count("pk")).values_list("total", "n")
        ]
    shared, draft_only, published_only = _split(draft, version_spec(published))
    grouped = (
        Customer.objects.order_by()
        .annotate(
            shared=_points(draft, shared),
            draft_only=_points(draft, draft_only),
            published_only=_points(version_spec(published), published_only),
        )
        .values("shared", "draft_only", "published_only")
        .annotate(n=Count("pk"))
        .values_list("shared", "draft_only", "published_only", "n")
    )
    pairs: Counter = Counter()
    for common, new, old, count in grouped:
        pairs[common + new, common + old] += count
    return [(new, old, count) for (new, old), count in pairs.items()]


def _sample(customers, **conditions) -> list[dict]:
    return list(
        customers.filter(**conditions)
        .order_by("pk")
        .values("pk", "name", "industry", "country", "draft_total", "published_total")[:SAMPLE_SIZE]
    )


def version_preview(*, version: RubricVersion) -> Preview:
    """How the version would score the whole customer base, compared with the rubric's published version.

    1. One grouped query: customers per (draft total, published total), summed into the histogram,
       who would qualify, enter and leave.
    2. Two small queries: the first customers (by id) entering, and leaving.
    """
    published = (
        version.rubric.versions.filter(status=VersionStatus.PUBLISHED).exclude(pk=version.pk).first()
        if version.status != VersionStatus.PUBLISHED
        else None
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")  # compiling the wide CASE costs more than running it
                # The planner expects about a group per customer (it cannot see that totals are a few
                # dozen values), so it would sort every row before grouping; hashing the rows the
                # parallel workers send is ~25% faster at a million customers.
                cursor.execute("SET LOCAL enable_sort = off")
                cursor.execute("SET LOCAL parallel_tuple_cost = 0")
        pairs = _pairs(version, published)
        per_total: dict[int, int] = {}
        for draft, _, count in pairs:
            per_total[draft] = per_total.get(draft, 0) + count
        tallest = max(per_total.values(), default=0)
        bars = [
            Bar(total=total, count=count, qualified=total >= version.threshold, percent=100 * count / tallest)
            for total, count in sorted(per_total.items())
        ]
        preview = Preview(
            version=version,
            published=published,
            customers=sum(per_total.values()),
            qualified=sum(bar.count for bar in bars if bar.qualified),
            bars=bars,
        )
        if published is not None:
            now, before = version.threshold, published.threshold
            preview.published_qualified = sum(count for _, old, count in pairs if old >= before)
            preview.entering = sum(count for new, old, count in pairs if new >= now and old < before)
            preview.leaving = sum(count for new, old, count in pairs if new < now and old >= before)
            customers = _scored(version, published)
            if preview.entering:
                preview.entering_sample = _sample(customers, draft_total__gte=now, published_total__lt=before)
            if preview.leaving:
                preview.leaving_sample = _sample(customers, draft_total__lt=now, published_total__gte=before)
    return preview
