"""Display helpers of the work-order pages: `{% load workorder_tags %}`."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

from maintenir.core import formats

register = template.Library()
READING_DECIMALS = 4


@register.filter
def measure(value: Decimal | None, unit: str = "") -> str:
    """A stored decimal without its trailing zeros, localized, with its unit: "182,5 bar"."""
    if value is None:
        return "—"
    return f"{formats.quantity(value)} {unit}".strip()


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


@register.filter
def reading(value: float | None, unit: str = "") -> str:
    """A value read from a device, localized, to 4 decimals at most (a float32 carries noise beyond):
    "0,1 kW", "14,0353 kW", "86000 kWh"."""
    return "—" if value is None else measure(Decimal(repr(round(value, READING_DECIMALS))), unit)


@register.filter
def check_expectation(check: Any) -> str:
    """What a commissioning check expects its point to read, and how soon: "= 1 (± 0,5) within 5 s"."""
    unit = check.point.unit
    if check.expected_value is not None:
        expected = "= " + reading(check.expected_value, unit)
        if check.tolerance:
            expected += " (± " + reading(check.tolerance) + ")"
    elif check.expected_min is not None and check.expected_max is not None:
        expected = _("between %(min)s and %(max)s") % {
            "min": reading(check.expected_min),
            "max": reading(check.expected_max, unit),
        }
    elif check.expected_min is not None:
        expected = _("at least %(min)s") % {"min": reading(check.expected_min, unit)}
    else:
        expected = _("at most %(max)s") % {"max": reading(check.expected_max, unit)}
    return _("%(expected)s within %(timeout)s s") % {"expected": expected, "timeout": reading(check.timeout)}
