"""Who may use the feedback pages (on top of ``teams.access.role_required``).

- Admins: everything.
- The Customer Success team (whatever their role): read surveys and answers, record referrals
  and advocacy, see every at-risk account.
- Sales reps: the at-risk list of the accounts they own.
- Everyone else (facilitators and members of other teams): 403.
Creating and sending surveys and importing answers is for admins (``role_required(Role.ADMIN)``).
"""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied

from teams.access import has_role, role_required
from teams.models import Role, Team

SUCCESS_ROLES = (Role.ADMIN, Role.FACILITATOR, Role.MEMBER)


def is_customer_success(user) -> bool:
    """An admin, or an active person of the Customer Success team."""
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, *SUCCESS_ROLES) and user.team_id is not None and user.team.slug == Team.CUSTOMER_SUCCESS


def may_see_risk(user) -> bool:
    return is_customer_success(user) or has_role(user, Role.SALES_REP)


def _required(check: Callable, roles: tuple[str, ...]) -> Callable:
    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied("Feedback is for admins and the Customer Success team.")
            return view(request, *args, **kwargs)

        return role_required(*roles)(checked)

    return decorator


customer_success_required = _required(is_customer_success, SUCCESS_ROLES)
risk_access_required = _required(may_see_risk, (*SUCCESS_ROLES, Role.SALES_REP))
