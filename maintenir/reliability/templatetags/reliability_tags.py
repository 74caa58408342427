from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """A ratio as a percentage with `digits` decimals (two for an availability, so 99,97 % is not
    rounded to 100,0 %); an undefined figure as a dash."""
    return "—" if value is None else f"{floatformat(value * 100, digits)} %"


@register.filter
def figure(value: float | None, digits: int = 1) -> str:
    """A number with `digits` decimals; an undefined figure as a dash."""
    return "—" if value is None else str(floatformat(value, digits))
