from typing import Any

from django import template

from maintenir.reports import services

register = template.Library()


@register.filter
def may_report_monthly(user: Any) -> bool:
    """Whether to offer the monthly maintenance report (pages of other apps link to it)."""
    return services.may_report_monthly(user)
