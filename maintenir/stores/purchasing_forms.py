"""Forms and filters of the purchasing pages (the API lists use the same filters)."""

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from maintenir.assets.filtersets import SearchFilterSet, visible
from maintenir.assets.forms import RestrictedChoicesForm
from maintenir.stores.choices import PurchaseOrderStatus, PurchaseRequestStatus
from maintenir.stores.models import Location, Part, PurchaseOrder, PurchaseRequest, ReorderRule, Supplier, SupplierPart


class SupplierForm(RestrictedChoicesForm):
    class Meta:
        model = Supplier
        fields = ["name", "email", "phone"]


class SupplierPartForm(RestrictedChoicesForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The company buys its own parts only.
        part: Any = self.fields["part"]
        part.queryset = part.queryset.filter(owner__isnull=True)

    class Meta:
        model = SupplierPart
        fields = ["part", "supplier_reference", "price", "minimum_order", "lead_time_days"]


class ReorderRuleForm(RestrictedChoicesForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        location: Any = self.fields["location"]
        location.queryset = location.queryset.filter(owner__isnull=True)

    class Meta:
        model = ReorderRule
        fields = ["location", "reorder_point", "maximum"]


class ReceiveForm(forms.Form):
    quantity = forms.DecimalField(label=_("Quantity received"), min_value=Decimal("0.001"), decimal_places=3)
    unit_cost = forms.DecimalField(
        label=_("Unit cost"),
        min_value=Decimal(0),
        decimal_places=4,
        required=False,
        help_text=_("Leave empty for the order's price."),
    )
    reference = forms.CharField(label=_("Delivery note"), max_length=100, required=False)


class SupplierFilterSet(SearchFilterSet):
    search_fields = ("name", "email", "phone")

    class Meta:
        model = Supplier
        fields: list[str] = []


class PurchaseRequestFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PurchaseRequestStatus.choices, label=_("Status"))
    part = django_filters.ModelChoiceFilter(queryset=visible(Part), label=_("Part"))
    location = django_filters.ModelChoiceFilter(queryset=visible(Location), label=_("Location"))

    class Meta:
        model = PurchaseRequest
        fields = ["status", "part", "location"]


class PurchaseOrderFilterSet(SearchFilterSet):
    search_fields = ("number", "supplier__name")
    status = django_filters.ChoiceFilter(choices=PurchaseOrderStatus.choices, label=_("Status"))
    supplier = django_filters.ModelChoiceFilter(queryset=visible(Supplier), label=_("Supplier"))

    class Meta:
        model = PurchaseOrder
        fields = ["status", "supplier"]


class ReorderRuleFilterSet(django_filters.FilterSet):
    part = django_filters.ModelChoiceFilter(queryset=visible(Part), label=_("Part"))
    location = django_filters.ModelChoiceFilter(queryset=visible(Location), label=_("Location"))

    class Meta:
        model = ReorderRule
        fields = ["part", "location"]
