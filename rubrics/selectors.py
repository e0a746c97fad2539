"""Reads about rubrics."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from engagement.selectors import engagement_days

from . import scoring
from .fields import field_kind
from .models import Criterion, Rubric, RubricVersion, Score, VersionStatus


def criterion_spec(criterion: Criterion) -> scoring.Criterion:
    return scoring.Criterion(
        id=criterion.pk,
        field=criterion.field,
        kind=field_kind(criterion.field) or "unknown",
        operator=criterion.operator,
        points=criterion.points,
        values=tuple(criterion.values or ()),
        bands=tuple(
            scoring.Band(points=band["points"], min=band.get("min"), max=band.get("max"), label=band.get("label", ""))
            for band in criterion.bands or ()
        ),
        group=criterion.group,
        label=criterion.label,
        gate=criterion.gate,
        decay=decay_spec(criterion.decay),
    )


def decay_spec(decay: dict | None) -> scoring.Decay | None:
    """A criterion's stored decay settings as the engine takes them (None: it reads its field alone)."""
    if not decay:
        return None
    return scoring.Decay(
        event_type=decay.get("event_type", ""),
        points=decay.get("points", 1),
        half_life=decay.get("half_life", 14),
        cap_per_day=decay.get("cap_per_day"),
        cap_total=decay.get("cap_total"),
    )


def decay_json(decay: scoring.Decay | None) -> dict:
    if decay is None:
        return {}
    return {
        "event_type": decay.event_type,
        "points": decay.points,
        "half_life": decay.half_life,
        "cap_per_day": decay.cap_per_day,
        "cap_total": decay.cap_total,
    }


def version_spec(version: RubricVersion) -> scoring.Rubric:
    """The version as the scoring engine takes it (criteria in their order)."""
    return scoring.Rubric(
        criteria=tuple(criterion_spec(criterion) for criterion in version.criteria.order_by("position", "id")),
        threshold=version.threshold,
        grades=tuple(scoring.Grade(label=grade["label"], min=grade["min"]) for grade in version.grades or ()),
        min_points=version.min_points,
        max_points=version.max_points,
        caps=caps_spec(version.caps),
    )


def caps_spec(caps: dict | None) -> tuple[tuple[str, int], ...]:
    """A version's caps ({"engagement": 6}) as the engine takes them, in the order of the groups."""
    order = {group: position for position, group in enumerate(scoring.GROUPS)}
    return tuple(sorted((caps or {}).items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def customer_attributes(customer, today: datetime.date | None = None) -> dict:
    """A customer's values by field name, as the engine reads them, with its daily event counts."""
    attributes = {field.name: getattr(customer, field.attname) for field in customer._meta.concrete_fields}
    days = engagement_days(customer_id=customer.pk, today=today)
    attributes[scoring.ENGAGEMENT] = scoring.Engagement(days=days.by_type, has_events=days.has_events)
    return attributes


@dataclass(frozen=True)
class ScoreExplained:
    """A stored score with the breakdown that produced it, decoded by the version that produced it: the
    outcomes, the caps that cut a group's points (so the rows shown add up to the total) and the gates."""

    score: Score
    grade: str | None
    outcomes: list[scoring.Outcome]
    threshold: int
    explanation: scoring.Explanation
    sources: tuple = ()  # per outcome: where an engagement criterion's value came from (scoring.source_words)

    @property
    def outcome_rows(self) -> list[tuple[scoring.Outcome, str | None]]:
        sources = self.sources or (None,) * len(self.outcomes)
        return list(zip(self.outcomes, sources, strict=True))

    @property
    def status(self) -> str:
        return self.explanation.status

    @property
    def status_words(self) -> str:
        return self.explanation.status_words

    @property
    def capped_groups(self) -> list[scoring.CappedGroup]:
        return self.explanation.capped_groups

    @property
    def matched(self) -> list[scoring.Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == scoring.MATCHED]

    @property
    def no_data(self) -> list[scoring.Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == scoring.NO_DATA]


def customer_scores(*, customer) -> list[ScoreExplained]:
    """The customer's score by each rubric, explained: what matched, with its points, and what had no data."""
    scores = Score.objects.filter(customer=customer).select_related("rubric__profile", "version")
    return [score_explain(score) for score in scores.order_by("rubric__profile__name", "rubric__name")]


def score_explain(score: Score) -> ScoreExplained:
    """One stored score with its grade and breakdown, by the version that produced it."""
    spec = version_spec(score.version)
    explanation = scoring.explain_score(spec, score.matched, score.no_data)
    sources = ()
    if any(criterion.decay for criterion in spec.criteria):
        attributes = customer_attributes(score.customer)
        sources = tuple(scoring.source_words(attributes, outcome.criterion) for outcome in explanation.outcomes)
    return ScoreExplained(
        score=score,
        grade=spec.grade_for(score.total),
        outcomes=list(explanation.outcomes),
        threshold=spec.threshold,
        explanation=explanation,
        sources=sources,
    )


def published_rubrics() -> QuerySet[Rubric]:
    """Rubrics that have a published version (and so score customers), by profile and name."""
    published = RubricVersion.objects.filter(rubric=OuterRef("pk"), status=VersionStatus.PUBLISHED)
    return Rubric.objects.filter(Exists(published)).select_related("profile").order_by("profile__name", "name")


def with_published_version(rubrics: QuerySet[Rubric]) -> QuerySet[Rubric]:
    """``rubrics``, each with its published version's id and last save (``published_version_pk``,
    ``published_version_updated_at``), which ``grading.rubric_scale`` then reads instead of a query of its own."""
    published = RubricVersion.objects.filter(rubric=OuterRef("pk"), status=VersionStatus.PUBLISHED).order_by("pk")
    return rubrics.annotate(
        published_version_pk=Subquery(published.values("pk")[:1]),
        published_version_updated_at=Subquery(published.values("updated_at")[:1]),
    )
