"""Filters shared by the list pages and the API lists."""

from collections.abc import Callable
from typing import ClassVar

import django_filters
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from maintenir.assets.choices import Criticality, EquipmentStatus, ServiceLot, Technology
from maintenir.assets.models import Document, Equipment, EquipmentType, ProductionLine, Site
from maintenir.core.models import Organisation
from maintenir.core.search import SEARCH_MAX_LENGTH, filter_text


def visible(model: type[Model]) -> Callable[[HttpRequest | None], QuerySet]:
    """Choices limited to what the requesting user may see, so a filter never reveals other clients' objects."""

    def queryset(request: HttpRequest | None) -> QuerySet:
        user = getattr(request, "user", None)
        return model._default_manager.restrict(user)  # type: ignore[attr-defined]

    return queryset


class SearchFilterSet(django_filters.FilterSet):
    """A free-text `q` over the fields named in `search_fields`, accents and case aside.

    `search_references` maps a reference prefix to the field holding its number (see
    `maintenir.core.search.matches`), so `OT-000014` or `000014` finds that very order.
    """

    search_fields: tuple[str, ...] = ()
    search_references: ClassVar[dict[str, str]] = {}
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=SEARCH_MAX_LENGTH)

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return filter_text(queryset, self.search_fields, value, self.search_references)


class SiteFilterSet(SearchFilterSet):
    search_fields = ("name", "code", "city", "address")
    organisation = django_filters.ModelChoiceFilter(queryset=visible(Organisation), label=_("Client organisation"))

    class Meta:
        model = Site
        fields = ["organisation"]


class EquipmentFilterSet(SearchFilterSet):
    search_fields = (
        *("code", "name", "manufacturer", "model", "serial_number"),
        *("site__name", "site__code", "building__name", "floor__name", "space__name", "production_line__name"),
    )
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


class DocumentFilterSet(SearchFilterSet):
    """The technical file's documents, found by the global search (they have no list of their own)."""

    search_fields = ("title", "version", "site__name", "equipment__code", "equipment__name")

    class Meta:
        model = Document
        fields = ["q"]
