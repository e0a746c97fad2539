"""Webhooks for tests, and customers qualifying by a published rubric."""

from customers.tests.factories import CustomerFactory
from rubrics.models import RubricVersion, VersionStatus
from rubrics.selectors import version_spec
from rubrics.services.scores import scores_write
from rubrics.tests.factories import rubric_with_draft
from webhooks.models import Webhook
from webhooks.services.webhooks import webhook_save


def published_rubric(*, grades=()) -> RubricVersion:
    """A published rubric: 3 points and qualified for Software customers (threshold 3)."""
    version = rubric_with_draft()
    RubricVersion.objects.filter(pk=version.pk).update(status=VersionStatus.PUBLISHED, grades=list(grades))
    version.refresh_from_db()
    return version


def webhook_for(version: RubricVersion, url: str, *, is_active: bool = True) -> Webhook:
    return webhook_save(rubric=version.rubric, url=url, is_active=is_active, user=None)


def qualify(version: RubricVersion, count: int, **fields) -> list:
    """``count`` new Software customers, scored (so qualified) by the version."""
    customers = CustomerFactory.create_batch(count, industry="Software", **fields)
    score(version, customers)
    return customers


def score(version: RubricVersion, customers) -> None:
    ids = [customer.pk for customer in customers]
    scores_write(version=version, spec=version_spec(version), low_id=min(ids), high_id=max(ids))
