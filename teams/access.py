"""The one place where a view says who may use it.

Every view of the product is wrapped in ``role_required``: an anonymous visitor
is sent to the login page, a signed-in person without one of the roles gets 403.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .models import Role

ANY_ROLE = tuple(Role.values)


def has_role(user, *roles: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in roles)


def role_required(*roles: str) -> Callable:
    """Allow a view to signed-in people whose role is one of ``roles``."""
    unknown = set(roles) - set(Role.values)
    if not roles or unknown:
        raise ValueError(f"role_required needs known roles, got {roles!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator
