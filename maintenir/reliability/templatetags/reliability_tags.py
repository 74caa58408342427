from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """A ratio as a percentage with one decimal; an undefined figure as a dash."""
    return "—" if value is None else f"{floatformat(value * 100, 1)} %"


@register.filter
def figure(value: float | None, digits: int = 1) -> str:
    """A number with `digits` decimals; an undefined figure as a dash."""
    return "—" if value is None else str(floatformat(value, digits))
