"""Filters of the technician list, shared by its page and the API."""

import datetime

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenir.assets.filtersets import SearchFilterSet, visible
from maintenir.people.models import HabilitationType, Skill, Team, Technician

# How far ahead a habilitation's expiry is flagged: time enough to book the recycling course.
EXPIRY_WARNING = datetime.timedelta(days=60)


def expiring_by() -> datetime.date:
    """The last day of the warning window: habilitations expiring on or before it are flagged."""
    return timezone.localdate() + EXPIRY_WARNING


class TechnicianFilterSet(SearchFilterSet):
    search_fields = ("user__username", "user__first_name", "user__last_name", "home_base")
    team = django_filters.ModelChoiceFilter(queryset=visible(Team), label=_("Team"))
    skill = django_filters.ModelChoiceFilter(
        field_name="skills__skill", queryset=visible(Skill), label=_("Skill"), distinct=True
    )
    habilitation = django_filters.ModelChoiceFilter(
        field_name="habilitations__habilitation_type",
        queryset=visible(HabilitationType),
        label=_("Habilitation"),
        distinct=True,
    )
    expiring = django_filters.BooleanFilter(method="filter_expiring", label=_("A habilitation expires within 60 days"))

    class Meta:
        model = Technician
        fields = ["q", "team", "skill", "habilitation", "expiring"]

    def filter_expiring(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        expiring = queryset.filter(habilitations__expires_on__lte=expiring_by()).values("pk")
        return queryset.filter(pk__in=expiring) if value else queryset.exclude(pk__in=expiring)
