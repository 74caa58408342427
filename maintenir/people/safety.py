"""The safety documents of a client site: its prevention plans and its risks, as the pages and the API show them."""

import datetime
from collections.abc import Iterable

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from maintenir.assets.models import Site
from maintenir.core.models import User
from maintenir.people.models import Habilitation, PreventionPlan, SiteRisk


def visible_plans(user: User, site: Site) -> QuerySet[PreventionPlan]:
    return PreventionPlan.objects.restrict(user).filter(site=site).order_by("-valid_from", "-pk")


def current_plan(plans: Iterable[PreventionPlan], day: datetime.date | None = None) -> PreventionPlan | None:
    """The plan in force on `day` (today): the first valid that day of `plans`, listed latest first."""
    day = day or timezone.localdate()
    return next((plan for plan in plans if plan.is_valid_on(day)), None)


def risks_by_score(risks: QuerySet[SiteRisk]) -> QuerySet[SiteRisk]:
    """Highest score (severity × likelihood) first, as the DUER treats them."""
    return (
        risks.alias(rated=F("severity") * F("likelihood"))
        .select_related("required_habilitation")
        .order_by("-rated", "-severity", "hazard", "pk")
    )


def visible_risks(user: User, site: Site) -> QuerySet[SiteRisk]:
    return risks_by_score(SiteRisk.objects.restrict(user).filter(site=site))


def holds_habilitation(user: User, code: str, day: datetime.date | None = None) -> bool:
    """Whether the user's technician profile holds the habilitation `code` (e.g. "BC"), valid on `day` (today)."""
    day = day or timezone.localdate()
    return (
        Habilitation.objects.filter(technician__user=user, habilitation_type__code=code, granted_on__lte=day)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .exists()
    )
