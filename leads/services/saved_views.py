"""A person's saved lead views (a name, the page it opens and its query string)."""

from django.core.exceptions import PermissionDenied, ValidationError

from teams.models import User

from ..models import SavedLeadView, SavedViewKind

QUERY_MAX = SavedLeadView._meta.get_field("query").max_length


def saved_view_save(*, user: User, name: str, query: str, kind: str = SavedViewKind.LEADS) -> SavedLeadView:
    """Save (or overwrite) the person's view of that name: the lead list's filters, or a search of similar accounts
    (``kind``), as the query string of its page."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the view a name."})
    if len(query) > QUERY_MAX:
        raise ValidationError(f"A view holds at most {QUERY_MAX} characters of filters: this one has {len(query)}.")
    view, _ = SavedLeadView.objects.update_or_create(user=user, name=name, defaults={"query": query, "kind": kind})
    return view


def saved_view_delete(*, view: SavedLeadView, user: User) -> None:
    """Delete one of the person's own saved views."""
    if view.user_id != user.pk:
        raise PermissionDenied("This view is someone else's.")
    view.delete()
