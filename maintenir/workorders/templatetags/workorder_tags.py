"""Display helpers of the work-order pages: `{% load workorder_tags %}`."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def measure(value: Decimal | None, unit: str = "") -> str:
    """A stored decimal without its trailing zeros, localized, with its unit: "182,5 bar"."""
    if value is None:
        return "—"
    # normalize() may give an exponent (1E+2); number_format writes it out in full.
    text = number_format(value.normalize())
    return f"{text} {unit}".strip()


@register.filter
def expected_range(step: Any) -> str:
    """The expected range of a checklist step in words, or "" when it has none."""
    low, high, unit = step.expected_min, step.expected_max, step.unit
    if low is not None and high is not None:
        return _("between %(min)s and %(max)s") % {"min": measure(low), "max": measure(high, unit)}
    if low is not None:
        return _("at least %(min)s") % {"min": measure(low, unit)}
    if high is not None:
        return _("at most %(max)s") % {"max": measure(high, unit)}
    return ""
