"""Filters shared by the stores pages and the API lists."""

import django_filters
from django.utils.translation import gettext_lazy as _

from maintenir.assets.choices import Criticality, Technology
from maintenir.assets.filtersets import SearchFilterSet, visible
from maintenir.core.widgets import DateInput
from maintenir.stores.choices import CountStatus, LocationKind, MovementKind, UnitStatus
from maintenir.stores.models import CycleCount, Location, Part, RepairableUnit, StockBalance, StockMovement


class PartFilterSet(SearchFilterSet):
    search_fields = ("reference", "description", "manufacturer", "manufacturer_reference", "category", "barcode")
    technology = django_filters.ChoiceFilter(choices=Technology.choices, label=_("Technology"))
    criticality = django_filters.MultipleChoiceFilter(choices=Criticality.choices, label=_("Criticality"))

    class Meta:
        model = Part
        fields = ["technology", "criticality"]


class LocationFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "site__name")
    kind = django_filters.ChoiceFilter(choices=LocationKind.choices, label=_("Kind"))

    class Meta:
        model = Location
        fields = ["kind"]


class BalanceFilterSet(django_filters.FilterSet):
    part = django_filters.ModelChoiceFilter(queryset=visible(Part), label=_("Part"))
    location = django_filters.ModelChoiceFilter(queryset=visible(Location), label=_("Location"))

    class Meta:
        model = StockBalance
        fields = ["part", "location"]


class MovementFilterSet(BalanceFilterSet):
    kind = django_filters.ChoiceFilter(choices=MovementKind.choices, label=_("Kind"))
    since = django_filters.DateFilter(
        field_name="created__date", lookup_expr="gte", label=_("From"), widget=DateInput()
    )
    until = django_filters.DateFilter(field_name="created__date", lookup_expr="lte", label=_("To"), widget=DateInput())

    class Meta:
        model = StockMovement
        fields = ["part", "location", "kind", "since", "until"]


class CycleCountFilterSet(django_filters.FilterSet):
    location = django_filters.ModelChoiceFilter(queryset=visible(Location), label=_("Location"))
    status = django_filters.ChoiceFilter(choices=CountStatus.choices, label=_("Status"))

    class Meta:
        model = CycleCount
        fields = ["location", "status"]


class RepairableUnitFilterSet(SearchFilterSet):
    search_fields = ("serial_number", "part__reference", "part__description")
    part = django_filters.ModelChoiceFilter(queryset=visible(Part), label=_("Part"))
    status = django_filters.MultipleChoiceFilter(choices=UnitStatus.choices, label=_("Status"))

    class Meta:
        model = RepairableUnit
        fields = ["part", "status"]
