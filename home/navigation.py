"""The site's menu: drawn by the app that draws the pages, the top of the stack, so it may name every app's pages."""

import functools

from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString

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


class Menu(list):
    """The menu's items (dicts of label, url and active), and their HTML."""

    @property
    def html(self) -> SafeString:
        return _menu_html(tuple((item["label"], item["url"], item["active"]) for item in self))


@functools.lru_cache(maxsize=512)
def _menu_html(items: tuple[tuple[str, str, bool], ...]) -> SafeString:
    """The menu's list items, drawn once per process for each menu (the items of a role, one of them active
    or none): every page shows one, and drawing its loop was a fifth of a plain page's time."""
    return render_to_string(
        "includes/menu_items.html",
        {"items": [dict(zip(("label", "url", "active"), item, strict=True)) for item in items]},
    )


def _items(user, path: str) -> Menu:
    items = Menu()
    prefix = get_script_prefix()
    for label, name, roles in NAVIGATION:
        if roles(user) if callable(roles) else has_role(user, *roles):
            url = _url(name, prefix)
            items.append({"label": label, "url": url, "active": path == url})
    return items


@functools.lru_cache(maxsize=128)
def _url(name: str, prefix: str) -> str:
    """``reverse(name)``, kept: a dozen of them were half of the menu's time. (The prefix the site is served
    under is part of the key.)"""
    return reverse(name)
