"""A rep's saved lead-list views (a name and a query string)."""

from django.core.exceptions import PermissionDenied, ValidationError

from teams.models import User

from ..models import (
    SavedLeadView,
)


def saved_view_save(*, user: User, name: str, query: str) -> SavedLeadView:
    """Save (or overwrite) the person's view of that name."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the view a name."})
    view, _ = SavedLeadView.objects.update_or_create(user=user, name=name, defaults={"query": query})
    return view


def saved_view_delete(*, view: SavedLeadView, user: User) -> None:
    """Delete one of the person's own saved views."""
    if view.user_id != user.pk:
        raise PermissionDenied("This view is someone else's.")
    view.delete()
