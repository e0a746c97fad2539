"""Publishing a draft: backtested against the published version first, then published and re-scored."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from teams.models import User

from ..backtest import Backtest, backtest_cached
from ..locks import rubric_lock
from ..models import RescoreJob, RubricVersion, VersionStatus
from ..problems import Problems, rubric_problems
from ..selectors import version_spec
from .rescoring import rescore_job_create


class PublishConflict(Exception):
    """The version is no longer a draft: someone (or a second click) published it already."""


class WorseThanPublished(Exception):
    """The draft separates won from lost deals significantly worse than the published version, and no reason
    to publish it anyway was given; nothing was published."""

    def __init__(self, backtest: Backtest):
        self.backtest = backtest
        super().__init__(
            f"{backtest.sentence} To publish it anyway, say why: the reason is kept in the version's history."
        )


REASON_LIMIT = 2000


def rubric_publish(*, version: RubricVersion, user: User | None, confirm_worse: str = "") -> RescoreJob:
    """Publish a draft and start re-scoring the base with it.

    1. backtest the draft against the published version on the decided deals (backtest.py; the preview's
       result is reused while nothing changed); if it separates them significantly worse, refuse
       (WorseThanPublished) unless ``confirm_worse`` says why to publish it anyway;
    2. lock the rubric, so two publishes of it run one after the other;
    3. refuse a version that is no longer a draft (PublishConflict) or has problems (ValidationError);
    4. retire the published version, publish this one with the backtest (and the reason) in its history;
    5. create the re-score job (superseding older ones), started once this commits.
    """
    reason = (confirm_worse or "").strip()
    if len(reason) > REASON_LIMIT:
        raise ValidationError({"confirm_worse": f"At most {REASON_LIMIT} characters."})
    backtest = _backtest(version)
    if backtest is not None and backtest.worse and not reason:
        raise WorseThanPublished(backtest)
    with transaction.atomic():
        rubric_lock(version.rubric_id)
        version = RubricVersion.objects.select_for_update().get(pk=version.pk)
        if not version.is_draft:
            raise PublishConflict(f"Version {version.number} is already {version.get_status_display().lower()}.")
        problems = rubric_problems(version_spec(version))
        if problems:
            raise ValidationError(f"This draft cannot be published yet: {_problems_text(problems)}")
        RubricVersion.objects.filter(rubric_id=version.rubric_id, status=VersionStatus.PUBLISHED).update(
            status=VersionStatus.RETIRED
        )
        version.status = VersionStatus.PUBLISHED
        version.published_by = user
        version.published_at = timezone.now()
        version.backtest = backtest.snapshot() if backtest is not None else {}
        version.publish_reason = reason if backtest is not None and backtest.worse else ""
        version.save(
            update_fields=["status", "published_by", "published_at", "backtest", "publish_reason", "updated_at"]
        )
        return rescore_job_create(version=version, reason="publish", user=user)


def _backtest(version: RubricVersion) -> Backtest | None:
    """The draft's backtest against the rubric's published version (None without one)."""
    published = RubricVersion.objects.filter(rubric_id=version.rubric_id, status=VersionStatus.PUBLISHED).first()
    if published is None or published.pk == version.pk:
        return None
    return backtest_cached([version_spec(version), version_spec(published)])


def _problems_text(problems: Problems) -> str:
    messages = list(problems.rubric)
    for fields in problems.criteria.values():
        for field_messages in fields.values():
            messages.extend(field_messages)
    return " ".join(messages)
