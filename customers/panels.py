"""Panels an app above customers adds to a customer's page (its scores, for instance), without customers
knowing that app: each registers a function that draws its panel for the customer, or returns None."""

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

_panels: dict[str, Callable] = {}


def customer_panel(name: str) -> Callable:
    """Register ``function(customer) -> (template, context) | None`` under ``name``; panels show in the order
    they were registered (the order of INSTALLED_APPS)."""

    def register(function: Callable) -> Callable:
        _panels[name] = function
        return function

    return register


def customer_panels(request, customer) -> list[SafeString]:
    drawn = []
    for function in _panels.values():
        found = function(customer)
        if found is not None:
            template, context = found
            drawn.append(render_to_string(template, context, request=request))
    return drawn
