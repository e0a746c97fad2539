"""The site's menu: drawn by the app that draws the pages, the top of the stack, so it may name every app's pages."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from feedback.access import is_customer_success, may_see_risk
from teams.access import ANY_ROLE, has_role
from teams.models import Role

# (label, url name, roles that see it, or a check of the person). A later feature adds its line here.
NAVIGATION = [
    ("Home", "home", ANY_ROLE),
    ("Customers", "customers:list", ANY_ROLE),
    ("Profiles", "profiles:list", ANY_ROLE),
    ("Workshops", "workshops:list", ANY_ROLE),
    ("Leads", "leads:list", (Role.ADMIN, Role.SALES_REP)),
    ("People", "teams:people", (Role.ADMIN,)),
    ("Rubrics", "rubrics:list", (Role.ADMIN,)),
    ("Webhooks", "webhooks:list", (Role.ADMIN,)),
    ("Routing", "routing:rules", (Role.ADMIN,)),
    ("Analytics", "analytics:index", (Role.ADMIN, Role.FACILITATOR, Role.MEMBER)),
    ("Feedback", "feedback:surveys", is_customer_success),
    ("At risk", "feedback:at_risk", may_see_risk),
    ("Away", "routing:away", (Role.SALES_REP,)),
]


def navigation(request):
    """The menu's items for the person, worked out only by a page that shows the menu (a live fragment,
    rendered many times a second, does not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    return {"navigation": SimpleLazyObject(lambda: _items(user, request.path))}


def _items(user, path: str) -> list[dict]:
    items = []
    for label, name, roles in NAVIGATION:
        if roles(user) if callable(roles) else has_role(user, *roles):
            url = reverse(name)
            items.append({"label": label, "url": url, "active": path == url})
    return items
