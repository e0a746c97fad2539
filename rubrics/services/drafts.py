"""Writes of the rubric editor: profiles, rubrics, drafts and their criteria.

Every change to a draft carries the ``revision`` the person loaded. The change
claims the draft with ``UPDATE ... SET revision = revision + 1 WHERE revision =
loaded``: if another admin saved in between, nothing is claimed and
``DraftChangedMeanwhile`` is raised with the draft as it is now, so a later
save is refused rather than silently overwriting the earlier one.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from profiles.models import Profile
from teams.models import User

from .. import scoring
from ..fields import field_kind
from ..locks import rubric_lock
from ..models import Criterion, Rubric, RubricVersion, VersionStatus
from ..problems import Problems, cap_problems, criterion_problems, rubric_problems
from ..selectors import caps_spec, criterion_spec, decay_json, decay_spec, version_spec

DIRECTIONS = ("up", "down")


class DraftChangedMeanwhile(Exception):
    """The draft changed after the person loaded it; their change was not saved."""

    def __init__(self, version: RubricVersion):
        self.version = version
        super().__init__(
            f"Someone else changed this draft (now at revision {version.revision}) after you opened it. "
            "Your change was not saved: here is the draft as it is now."
        )


class VersionNotEditable(Exception):
    """Only a draft changes; a published or retired version never does."""

    def __init__(self, version: RubricVersion):
        self.version = version
        super().__init__(f"Version {version.number} is {version.get_status_display().lower()}: it cannot change.")


@transaction.atomic
def rubric_create(*, profile: Profile, name: str, user: User | None, threshold: int = 0) -> Rubric:
    """A rubric with an empty draft, version 1."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the rubric a name."})
    if Rubric.objects.filter(profile=profile, name__iexact=name).exists():
        raise ValidationError({"name": f"{profile} already has a rubric named “{name}”."})
    rubric = Rubric.objects.create(profile=profile, name=name)
    RubricVersion.objects.create(rubric=rubric, number=1, threshold=threshold, created_by=user)
    return rubric


@transaction.atomic
def draft_create(*, rubric: Rubric, user: User | None) -> RubricVersion:
    """A new draft copied from the published version (or the latest one if none is published).

    Refused if the rubric already has a draft.
    """
    rubric_lock(rubric.pk)  # one draft_create per rubric at a time
    if rubric.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError("This rubric already has a draft: edit that one.")
    source = rubric.versions.filter(status=VersionStatus.PUBLISHED).first() or rubric.versions.first()
    number = (rubric.versions.aggregate(highest=Max("number"))["highest"] or 0) + 1
    try:
        with transaction.atomic():
            draft = RubricVersion.objects.create(
                rubric=rubric,
                number=number,
                threshold=source.threshold if source else 0,
                min_points=source.min_points if source else -3,
                max_points=source.max_points if source else 3,
                grades=list(source.grades) if source else [],
                caps=dict(source.caps or {}) if source else {},
                note="",
                created_by=user,
            )
    except IntegrityError as error:
        raise ValidationError("This rubric already has a draft: edit that one.") from error
    if source:
        Criterion.objects.bulk_create(
            Criterion(
                version=draft,
                position=position,
                group=criterion.group,
                label=criterion.label,
                field=criterion.field,
                operator=criterion.operator,
                values=list(criterion.values),
                bands=[dict(band) for band in criterion.bands],
                points=criterion.points,
                gate=criterion.gate,
                decay=dict(criterion.decay or {}),
            )
            for position, criterion in enumerate(source.criteria.order_by("position", "id"))
        )
    return draft


def _claim(version: RubricVersion, revision: int) -> RubricVersion:
    """Bump the draft's revision if it is still the one the person loaded; the draft as it is now."""
    claimed = RubricVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT, revision=revision).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    current = RubricVersion.objects.get(pk=version.pk)
    if current.status != VersionStatus.DRAFT:
        raise VersionNotEditable(current)
    if not claimed:
        raise DraftChangedMeanwhile(current)
    version.revision = current.revision
    return current


def _refuse_problems(problems: Problems, *, allow_unreachable_threshold: bool = False) -> None:
    messages = list(problems.rubric)
    if allow_unreachable_threshold:
        messages = [message for message in messages if not message.startswith("No customer could ever reach")]
    for criterion_messages in problems.criteria.values():
        for field_messages in criterion_messages.values():
            messages.extend(field_messages)
    if messages:
        raise ValidationError(messages)


def _clean_grades(grades: list[dict]) -> list[dict]:
    cleaned = []
    for number, grade in enumerate(grades, start=1):
        label = str(grade.get("label", "")).strip()
        minimum = grade.get("min")
        if not label or not isinstance(minimum, int) or isinstance(minimum, bool):
            raise ValidationError({"grades": f"Grade {number} needs a label and a whole number of points."})
        cleaned.append({"label": label, "min": minimum})
    return sorted(cleaned, key=lambda grade: grade["min"], reverse=True)


@transaction.atomic
def version_settings_update(
    *,
    version: RubricVersion,
    threshold: int,
    min_points: int,
    max_points: int,
    grades: list[dict],
    note: str,
    revision: int,
    user: User | None,
    caps: dict[str, int] | None = None,
) -> RubricVersion:
    """Change a draft's threshold, points range, grades, caps (None keeps them) and note.

    Refused if a criterion would fall outside the points range, if a cap is not a
    whole number of points from 0 of a known group, or (when the draft has
    criteria) if no customer could reach the threshold.
    """
    current = _claim(version, revision)
    grades = _clean_grades(grades)
    if min_points > max_points:
        raise ValidationError({"max_points": "The highest points allowed must not be below the lowest."})
    caps = dict(current.caps or {}) if caps is None else dict(caps)
    wrong_caps = cap_problems(caps_spec(caps))
    if wrong_caps:
        raise ValidationError({f"cap_{group}": messages for group, messages in wrong_caps.items()})
    spec = version_spec(current)
    candidate = scoring.Rubric(
        criteria=spec.criteria,
        threshold=threshold,
        grades=tuple(scoring.Grade(label=grade["label"], min=grade["min"]) for grade in grades),
        min_points=min_points,
        max_points=max_points,
        caps=caps_spec(caps),
    )
    problems = rubric_problems(candidate)
    unreachable = [message for message in problems.rubric if message.startswith("No customer could ever reach")]
    if unreachable and spec.criteria:
        raise ValidationError({"threshold": unreachable})
    _refuse_problems(problems, allow_unreachable_threshold=True)
    RubricVersion.objects.filter(pk=version.pk).update(
        threshold=threshold, min_points=min_points, max_points=max_points, grades=grades, caps=caps, note=note.strip()
    )
    version.refresh_from_db()
    return version


def _validated_criterion(
    version: RubricVersion,
    *,
    pk: int,
    field: str,
    operator: str,
    values: list,
    bands: list[dict],
    points: int,
    group: str,
    label: str,
    gate: str,
    decay: dict | None = None,
) -> scoring.Criterion:
    kind = field_kind(field)
    if kind is None:
        raise ValidationError(
            {"field": "Choose a customer field, or name an extra attribute: letters, digits and _, at most 60."}
        )
    if operator == "bands":
        points = 0
    spec = scoring.Criterion(
        id=pk,
        field=field,
        kind=kind,
        operator=operator,
        points=points,
        values=tuple(values),
        bands=tuple(
            scoring.Band(points=band["points"], min=band.get("min"), max=band.get("max"), label=band.get("label", ""))
            for band in bands
        ),
        group=group,
        label=label,
        gate=gate,
        decay=decay_spec(decay),
    )
    problems = criterion_problems(spec, version.min_points, version.max_points)
    if problems:
        raise ValidationError(problems)
    return spec


def _check_slots(version: RubricVersion, spec: scoring.Criterion, replaced_pk: int | None = None) -> None:
    others = version.criteria.exclude(pk=replaced_pk) if replaced_pk else version.criteria.all()
    slots = sum(criterion_spec(other).slot_count for other in others) + spec.slot_count
    if slots > scoring.MAX_SLOTS:
        raise ValidationError(
            f"A rubric holds at most {scoring.MAX_SLOTS} criteria and bands; this change would make {slots}."
        )


@transaction.atomic
def criterion_add(
    *,
    version: RubricVersion,
    field: str,
    operator: str,
    values: list,
    bands: list[dict],
    points: int,
    group: str,
    label: str,
    revision: int,
    user: User | None,
    gate: str = "",
    decay: dict | None = None,
) -> Criterion:
    """A criterion appended to a draft; ``gate`` makes it a must-have or a disqualifier too; ``decay`` makes it
    read events (selectors.decay_spec)."""
    current = _claim(version, revision)
    spec = _validated_criterion(
        current,
        pk=0,
        field=field,
        operator=operator,
        values=values,
        bands=bands,
        points=points,
        group=group,
        label=label,
        gate=gate,
        decay=decay,
    )
    _check_slots(current, spec)
    position = (current.criteria.aggregate(highest=Max("position"))["highest"] or -1) + 1
    return Criterion.objects.create(
        version=current,
        position=position,
        field=field,
        operator=operator,
        values=list(spec.values),
        bands=_bands_json(spec),
        points=spec.points,
        group=group,
        label=label.strip(),
        gate=gate,
        decay=decay_json(spec.decay),
    )


@transaction.atomic
def criterion_update(
    *,
    criterion: Criterion,
    field: str,
    operator: str,
    values: list,
    bands: list[dict],
    points: int,
    group: str,
    label: str,
    revision: int,
    user: User | None,
    gate: str | None = None,
    decay: dict | None = None,
) -> Criterion:
    """Change a draft's criterion; ``gate`` None keeps what it counts as, ``decay`` None whether it reads events."""
    current = _claim(criterion.version, revision)
    gate = criterion.gate if gate is None else gate
    decay = criterion.decay if decay is None else decay
    spec = _validated_criterion(
        current,
        pk=criterion.pk,
        field=field,
        operator=operator,
        values=values,
        bands=bands,
        points=points,
        group=group,
        label=label,
        gate=gate,
        decay=decay,
    )
    _check_slots(current, spec, criterion.pk)
    criterion.field, criterion.operator, criterion.group, criterion.label = field, operator, group, label.strip()
    criterion.gate, criterion.decay = gate, decay_json(spec.decay)
    criterion.values, criterion.bands, criterion.points = list(spec.values), _bands_json(spec), spec.points
    criterion.save()
    return criterion


def _bands_json(spec: scoring.Criterion) -> list[dict]:
    return [{"label": band.label, "min": band.min, "max": band.max, "points": band.points} for band in spec.bands]


def _renumber(version: RubricVersion, ordered: list[Criterion]) -> None:
    for position, criterion in enumerate(ordered):
        criterion.position = position
    Criterion.objects.bulk_update(ordered, ["position"])


@transaction.atomic
def criterion_remove(*, criterion: Criterion, revision: int, user: User | None) -> None:
    current = _claim(criterion.version, revision)
    criterion.delete()
    _renumber(current, list(current.criteria.order_by("position", "id")))


@transaction.atomic
def criterion_move(
    *,
    criterion: Criterion,
    revision: int,
    user: User | None,
    position: int | None = None,
    direction: str | None = None,
) -> Criterion:
    """Move a criterion to ``position`` (0 is first), or one step ``direction`` ("up" or "down")."""
    if (position is None) == (direction is None):
        raise ValidationError("Give either a position or a direction.")
    if direction is not None and direction not in DIRECTIONS:
        raise ValidationError({"direction": "Move up or down."})
    current = _claim(criterion.version, revision)
    ordered = list(current.criteria.order_by("position", "id"))
    index = next(i for i, other in enumerate(ordered) if other.pk == criterion.pk)
    if direction is not None:
        position = index - 1 if direction == "up" else index + 1
    position = max(0, min(position, len(ordered) - 1))
    moved = ordered.pop(index)
    ordered.insert(position, moved)
    _renumber(current, ordered)
    criterion.position = position
    return criterion
