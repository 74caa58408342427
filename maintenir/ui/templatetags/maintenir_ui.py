"""Template helpers shared by every app's pages: `{% load maintenir_ui %}`.

For pagination links that keep the current filters, use Django's built-in
`{% querystring page=n %}` tag.
"""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from maintenir.core import formats

register = template.Library()

# Status, criticality and priority values → badge tone (a `.badge-*` class of maintenir.css).
# Priorities are integers (1 urgent … 4 low), so they are looked up as strings.
BADGE_TONES = {
    # Equipment status
    "in_service": "ok",
    "degraded": "warn",
    "down": "danger",
    "out_of_service": "muted",
    # Device status
    "online": "ok",
    "unreachable": "danger",
    "unknown": "muted",
    # Reading quality
    "good": "ok",
    "out_of_range": "warn",
    "bad": "danger",
    # Maintenance-plan status
    "draft": "info",
    "active": "ok",
    "suspended": "warn",
    "archived": "muted",
    # Criticality
    "critical": "danger",
    "high": "warn",
    "medium": "info",
    "low": "muted",
    # Work-order status
    "requested": "info",
    "approved": "info",
    "planned": "info",
    "in_progress": "progress",
    "on_hold": "warn",
    "done": "ok",
    "closed": "muted",
    "cancelled": "muted",
    # Work-request status
    "submitted": "info",
    "rejected": "muted",
    # Commissioning check result
    "not_run": "muted",
    "passed": "ok",
    "failed": "danger",
    "left_changed": "danger",
    "error": "warn",
    # Parameter-set application (failed: as above)
    "applied": "ok",
    "reverted": "muted",
    # Priority / urgency
    "1": "danger",
    "2": "warn",
    "3": "info",
    "4": "muted",
}


@register.filter
def badge_tone(value: Any) -> str:
    """The `.badge-*` tone for a status, criticality or priority value; "muted" if unknown."""
    return BADGE_TONES.get(str(value), "muted")


@register.filter
def money(value: Any) -> str:
    """An amount in euros with two decimals, written as the language writes it: "194,60 €", "€194.60"."""
    return formats.money(None if value == "" else value)


@register.filter
def quantity(value: Any) -> str:
    """A stored decimal without its trailing zeros, written as the language writes it: "182,5", "1200"."""
    return formats.quantity(value)


@register.simple_tag(takes_context=True)
def nav_link(context: template.Context, url_name: str, label: str, section: str = "") -> SafeString:
    """A navigation link marked current when the page's URL name starts with `section` (e.g. "site-"), or
    with one of its space-separated prefixes."""
    match = getattr(context.get("request"), "resolver_match", None)
    current_name = (match.url_name or "") if match else ""
    current = current_name == url_name or any(current_name.startswith(prefix) for prefix in section.split())
    if current:
        return format_html('<a href="{}" aria-current="page">{}</a>', reverse(url_name), label)
    return format_html('<a href="{}">{}</a>', reverse(url_name), label)
