from django.urls import reverse

from .access import ANY_ROLE, has_role
from .models import Role

# (label, url name, roles that see it). A later feature adds its line here.
NAVIGATION = [
    ("Home", "home", ANY_ROLE),
    ("Customers", "customers:list", ANY_ROLE),
    ("Profiles", "profiles:list", ANY_ROLE),
    ("Workshops", "workshops:list", ANY_ROLE),
    ("Leads", "leads:list", (Role.ADMIN, Role.SALES_REP)),
    ("People", "teams:people", (Role.ADMIN,)),
    ("Rubrics", "rubrics:list", (Role.ADMIN,)),
    ("Webhooks", "webhooks:list", (Role.ADMIN,)),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = [
        {"label": label, "url": reverse(name), "active": request.path == reverse(name)}
        for label, name, roles in NAVIGATION
        if has_role(user, *roles)
    ]
    return {"navigation": items}
