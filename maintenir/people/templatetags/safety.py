"""The safety sections other apps' pages show: a site's prevention plans and risks, and those of the site a
work order is on."""

from typing import Any

from django import template
from django.utils import timezone

from maintenir.assets.models import Site
from maintenir.people import safety
from maintenir.people.models import PreventionPlan, SiteRisk
from maintenir.ui.views_helpers import can_add

register = template.Library()


def _safety_of(user: Any, site: Site) -> dict[str, Any]:
    plans = list(safety.visible_plans(user, site))
    today = timezone.localdate()
    current = safety.current_plan(plans, today)
    return {
        "site": site,
        "plans": [
            {
                "plan": plan,
                "current": plan is current,
                "expired": plan.valid_until is not None and plan.valid_until < today,
            }
            for plan in plans
        ],
        "current_plan": current,
        "risks": list(safety.visible_risks(user, site)),
        "can_add_plan": can_add(user, PreventionPlan),
        "can_add_risk": can_add(user, SiteRisk),
    }


@register.inclusion_tag("people/includes/site_safety.html", takes_context=True)
def site_safety(context: template.Context, site: Site) -> dict[str, Any]:
    """The site page's prevention plans (the current one highlighted, expired ones marked) and risks by score."""
    return _safety_of(context["request"].user, site)


@register.inclusion_tag("people/includes/order_safety.html", takes_context=True)
def order_safety(context: template.Context, site: Site) -> dict[str, Any]:
    """A work order page's reminder: the site's current prevention plan (or a warning) and its risks."""
    return _safety_of(context["request"].user, site)
