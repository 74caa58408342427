"""Filters shared by the preventive list pages and the API lists."""

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from maintenir.assets.filtersets import SearchFilterSet, visible
from maintenir.assets.models import Equipment, EquipmentType, Site
from maintenir.core.choices import Role
from maintenir.core.models import User
from maintenir.preventive.choices import PlanStatus, TriggerKind
from maintenir.preventive.models import Gamme, MaintenancePlan, TrainingSession, Trigger


class GammeFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "description")
    equipment_type = django_filters.ModelChoiceFilter(queryset=visible(EquipmentType), label=_("Equipment type"))

    class Meta:
        model = Gamme
        fields = ["q", "equipment_type"]


class MaintenancePlanFilterSet(SearchFilterSet):
    search_fields = ("name", "description", "site__name")
    site = django_filters.ModelChoiceFilter(queryset=visible(Site), label=_("Site"))
    status = django_filters.MultipleChoiceFilter(choices=PlanStatus.choices, label=_("Status"))

    class Meta:
        model = MaintenancePlan
        fields = ["q", "site", "status"]


class TriggerFilterSet(SearchFilterSet):
    search_fields = ("gamme__code", "gamme__name", "equipment__code", "equipment__name")
    plan = django_filters.ModelChoiceFilter(queryset=visible(MaintenancePlan), label=_("Maintenance plan"))
    equipment = django_filters.ModelChoiceFilter(queryset=visible(Equipment), label=_("Equipment"))
    gamme = django_filters.ModelChoiceFilter(queryset=visible(Gamme), label=_("Gamme"))
    kind = django_filters.MultipleChoiceFilter(choices=TriggerKind.choices, label=_("Kind"))

    class Meta:
        model = Trigger
        fields = ["q", "plan", "equipment", "gamme", "kind"]


def _operators(request: HttpRequest | None) -> QuerySet[User]:
    return visible(User)(request).filter(role=Role.OPERATOR)


class TrainingSessionFilterSet(SearchFilterSet):
    search_fields = ("topic", "notes")
    site = django_filters.ModelChoiceFilter(queryset=visible(Site), label=_("Site"))
    gamme = django_filters.ModelChoiceFilter(field_name="gammes", queryset=visible(Gamme), label=_("Gamme"))
    attendee = django_filters.ModelChoiceFilter(field_name="attendees", queryset=_operators, label=_("Operator"))

    class Meta:
        model = TrainingSession
        fields = ["q", "site", "gamme", "attendee"]
