"""A rubric version as a document (format: ``document_format.py``): dumped, and loaded as a rubric's draft.

The management commands ``rubric_dump`` and ``rubric_load`` and the API (``/api/rubrics/<id>/draft/``) call
these, so a document means the same from a file and over HTTP.
"""

from django.db import transaction
from django.db.models import Max

from profiles.models import Profile
from profiles.services.profiles import profile_create
from teams.models import User

from ..document_format import RubricDocument, document_read, grades_ordered
from ..locks import rubric_lock
from ..models import Criterion, Rubric, RubricVersion, VersionStatus
from ..selectors import caps_spec
from .drafts import _claim, rubric_create


class StaleDraft(Exception):
    """The rubric's draft is no longer the one the client read (``draft_tag``); nothing was written."""

    def __init__(self, draft: RubricVersion | None):
        self.draft = draft
        now = f"it is now {version_tag(draft)}" if draft else "the rubric has no draft now"
        super().__init__(f"The draft changed since you read it ({now}); nothing was written. Read it again.")


def version_tag(version: RubricVersion) -> str:
    """What tells one state of a draft from any other: its id and revision (the API's ETag)."""
    return f"{version.pk}.{version.revision}"


def _document_of(version: RubricVersion) -> RubricDocument:
    criteria = version.criteria.order_by("position", "id")
    return RubricDocument(
        profile=version.rubric.profile.name,
        rubric=version.rubric.name,
        threshold=version.threshold,
        min_points=version.min_points,
        max_points=version.max_points,
        grades=grades_ordered([{"label": grade["label"], "min": grade["min"]} for grade in version.grades or ()]),
        caps=dict(caps_spec(version.caps)),
        note=version.note,
        criteria=[
            {
                "label": criterion.label,
                "group": criterion.group,
                "field": criterion.field,
                "operator": criterion.operator,
                "values": list(criterion.values or ()),
                "bands": [_band(band) for band in criterion.bands or ()],
                "points": criterion.points,
                "gate": criterion.gate,
                "decay": dict(criterion.decay or {}),
            }
            for criterion in criteria
        ],
    )


def _band(band: dict) -> dict:
    return {"label": band.get("label", ""), "min": band.get("min"), "max": band.get("max"), "points": band["points"]}


def rubric_dump(*, version: RubricVersion) -> dict:
    """The version as a document: ``json.dumps`` keeps its key order, which is always the same."""
    return _document_of(version).as_json()


def rubric_load(
    *,
    document: object,
    user: User | None,
    rubric: Rubric | None = None,
    draft_tag: str | None = None,
    skip_if_published: bool = False,
) -> RubricVersion:
    """Make ``document`` the draft of ``rubric`` (or of the rubric it names); the draft.

    1. read the whole document (``document_read``): a problem anywhere raises ValidationError listing every
       one by location, and nothing is written;
    2. in one transaction: find the profile and rubric the document names, making them if missing, unless
       ``rubric`` is given (the document's names are then ignored: that is how a rubric is copied); lock
       the rubric, as making a draft and publishing do;
    3. refuse with StaleDraft when ``draft_tag`` is given and is not the draft's ("*": any draft will do);
    4. when the draft already says what the document says, write nothing: loading twice is loading once; with
       ``skip_if_published``, the same when the rubric has no draft and its published version says it (that
       version is returned: loading and publishing twice is doing it once);
    5. otherwise replace the draft's settings and criteria entirely, claiming it at the revision just read
       (DraftChangedMeanwhile if an editor saved in between), or make the draft when the rubric has none.
    """
    read = document_read(document, names_required=rubric is None)
    with transaction.atomic():
        rubric = rubric_lock((rubric or _rubric_named(read, user)).pk)
        draft = rubric.versions.filter(status=VersionStatus.DRAFT).first()
        if draft_tag is not None and (draft is None or draft_tag not in ("*", version_tag(draft))):
            raise StaleDraft(draft)
        if draft is None and skip_if_published:
            published = rubric.versions.filter(status=VersionStatus.PUBLISHED).first()
            if published is not None and _document_of(published).content() == read.content():
                return published
        if draft is None:
            number = (rubric.versions.aggregate(highest=Max("number"))["highest"] or 0) + 1
            draft = RubricVersion.objects.create(rubric=rubric, number=number, threshold=0, created_by=user)
        elif _document_of(draft).content() == read.content():
            return draft
        else:
            draft = _claim(draft, draft.revision)
        RubricVersion.objects.filter(pk=draft.pk).update(
            threshold=read.threshold,
            min_points=read.min_points,
            max_points=read.max_points,
            grades=read.grades,
            caps=read.caps,
            note=read.note,
        )
        draft.criteria.all().delete()
        Criterion.objects.bulk_create(
            Criterion(version=draft, position=position, **criterion) for position, criterion in enumerate(read.criteria)
        )
    draft.refresh_from_db()
    return draft


def _rubric_named(read: RubricDocument, user: User | None) -> Rubric:
    """The rubric the document names, made (with its profile) when missing; names match whatever their case."""
    profile = Profile.objects.filter(name__iexact=read.profile).first() or profile_create(name=read.profile, user=user)
    rubric = Rubric.objects.filter(profile=profile, name__iexact=read.rubric).first()
    return rubric or rubric_create(profile=profile, name=read.rubric, user=user)
