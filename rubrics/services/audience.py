"""Whom a rubric's leads are for: new business, expansion or both (Rubric.audience)."""

from django.core.exceptions import PermissionDenied, ValidationError

from teams.models import User

from ..models import LeadAudience, Rubric


def rubric_audience_set(*, rubric: Rubric, audience: str, user: User) -> Rubric:
    """Mark the rubric for new business, expansion or both; only an admin may. The lead list, its exports and
    the lead API read the marking at once (no re-score: the score's copy of the lifecycle stage is what they filter).
    """
    if not user.is_admin:
        raise PermissionDenied("Only admins change whom a rubric's leads are for.")
    if audience not in LeadAudience.values:
        choices = ", ".join(LeadAudience.values)
        raise ValidationError({"audience": f"“{audience}” is not one of: {choices}."})
    if rubric.audience != audience:
        rubric.audience = audience
        rubric.save(update_fields=["audience"])
    return rubric
