"""Leads for tests: a published rubric and the scores (with their qualification history) of customers."""

from customers.models import Customer
from rubrics.models import LeadAudience, RubricVersion
from rubrics.selectors import version_spec
from rubrics.services.scores import scores_write
from rubrics.tests.factories import rubric_with_draft

GRADES = [{"label": "A", "min": 6}, {"label": "B", "min": 3}]


def published_rubric(
    *, industries=("Software",), threshold: int = 3, grades=GRADES, audience: str = LeadAudience.EXPANSION
) -> RubricVersion:
    """A published rubric giving 3 points to customers in ``industries``: they qualify with grade B.

    Marked for expansion by default: CustomerFactory's accounts are customers, so its lead list shows them
    without a tab to choose (test_segments.py tests the tabs)."""
    version = rubric_with_draft(industries=industries, threshold=threshold)
    RubricVersion.objects.filter(pk=version.pk).update(status="published", grades=list(grades))
    version.rubric.audience = audience
    version.rubric.save(update_fields=["audience"])
    version.refresh_from_db()
    return version


def customers_score(version: RubricVersion, *customers: Customer) -> None:
    """Score the customers (and any between their ids) by the version, recording who qualifies now."""
    ids = sorted(customer.pk for customer in customers)
    scores_write(version=version, spec=version_spec(version), low_id=ids[0], high_id=ids[-1])
