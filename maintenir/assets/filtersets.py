"""Filters shared by the list pages and the API lists."""

from collections.abc import Callable

import django_filters
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from maintenir.assets.choices import Criticality, EquipmentStatus, ServiceLot, Technology
from maintenir.assets.models import Equipment, EquipmentType, ProductionLine, Site
from maintenir.core.models import Organisation


def visible(model: type[Model]) -> Callable[[HttpRequest | None], QuerySet]:
    """Choices limited to what the requesting user may see, so a filter never reveals other clients' objects."""

    def queryset(request: HttpRequest | None) -> QuerySet:
        user = getattr(request, "user", None)
        return model._default_manager.restrict(user)  # type: ignore[attr-defined]

    return queryset


class SearchFilterSet(django_filters.FilterSet):
    """A free-text `q` over the fields named in `search_fields`."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(query)


class SiteFilterSet(SearchFilterSet):
    search_fields = ("name", "code", "city", "address")
    organisation = django_filters.ModelChoiceFilter(queryset=visible(Organisation), label=_("Client organisation"))

    class Meta:
        model = Site
        fields = ["organisation"]


class EquipmentFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "manufacturer", "model", "serial_number")
    status = django_filters.MultipleChoiceFilter(choices=EquipmentStatus.choices, label=_("Status"))
    criticality = django_filters.MultipleChoiceFilter(choices=Criticality.choices, label=_("Criticality"))
    service_lot = django_filters.ChoiceFilter(choices=ServiceLot.choices, label=_("Service lot"))
    technology = django_filters.ChoiceFilter(
        field_name="technologies__code", choices=Technology.choices, label=_("Technology"), distinct=True
    )
    equipment_type = django_filters.ModelChoiceFilter(queryset=EquipmentType.objects.all(), label=_("Equipment type"))
    production_line = django_filters.ModelChoiceFilter(queryset=visible(ProductionLine), label=_("Production line"))
    site = django_filters.ModelChoiceFilter(queryset=visible(Site), label=_("Site"))
    parent = django_filters.ModelChoiceFilter(queryset=visible(Equipment), label=_("Parent"))
    root = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label=_("Top level only"))

    class Meta:
        model = Equipment
        fields = ["site", "parent"]
