"""How pages write outcome figures: a value with its 95% interval, shares, lifts and p-values."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

FORMATS = {
    "share": lambda value: f"{value * 100:.1f}%",
    "points": lambda value: f"{value:+.1f}",
    "currency": lambda value: f"{value:,.0f}",
    "days": lambda value: f"{value:.1f}",
    "months": lambda value: f"{value:.1f}",
}


@register.filter
def figure(value, unit: str = "share") -> str:
    """A number in its unit: 12.3% (share), +12.5 (points), 165,121 (currency), 45.2 (days, months)."""
    if value is None:
        return "—"
    return FORMATS[unit](value)


@register.simple_tag
def estimate(value, unit: str = "share"):
    """A figure, its 95% interval and how many observations it rests on, flagged when they are few."""
    if value is None or value.value is None:
        return mark_safe('<span class="text-body-secondary">no data</span>')
    interval = ""
    if value.low is not None and value.high is not None:
        interval = format_html(
            '<span class="text-body-secondary small text-nowrap"> [{} to {}]</span>',
            figure(value.low, unit),
            figure(value.high, unit),
        )
    small = ""
    if value.small:
        small = mark_safe(
            ' <span class="badge text-bg-warning" title="Fewer than 30 observations: read with care">small</span>'
        )
    return format_html(
        '<span class="fw-semibold">{}</span>{}<br><span class="text-body-secondary small">n = {}</span>{}',
        figure(value.value, unit),
        interval,
        f"{value.n:,}",
        small,
    )


@register.filter
def lift(value) -> str:
    """1.23× (None: —)."""
    return "—" if value is None else f"{value:.2f}×"


@register.filter
def p_value(value) -> str:
    if value is None:
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"
