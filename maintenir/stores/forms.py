import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maintenir.assets.forms import RestrictedChoicesForm
from maintenir.core.widgets import DateInput
from maintenir.stores.importers import KINDS
from maintenir.stores.models import Location, Part


class PartForm(RestrictedChoicesForm):
    class Meta:
        model = Part
        fields = [
            *("reference", "description", "manufacturer", "manufacturer_reference", "unit", "category"),
            *("technology", "criticality", "barcode", "superseded_by", "owner"),
        ]


class StoresImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=[(name, kind.label) for name, kind in KINDS.items()]
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8, commas or semicolons) or Excel (.xlsx, first sheet), with the header line."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    # Names the import's progress, which the page asks for while the file is sent and imported.
    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex)


class LocationForm(RestrictedChoicesForm):
    choice_select_related = {Location: ("parent",)}

    class Meta:
        model = Location
        fields = ["code", "name", "kind", "parent", "site", "technician", "owner"]


def quantity_input(label: Any, **options: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=12, decimal_places=3, **options)


class StockForm(forms.Form):
    """A stock movement's form: its parts and locations are those the user may see."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = field.queryset.model._default_manager.restrict(user)  # type: ignore[union-attr]


class ReceiptForm(StockForm):
    part = forms.ModelChoiceField(queryset=Part.objects.none(), label=_("Part"))
    location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("Into"))
    quantity = quantity_input(_("Quantity"), min_value=Decimal("0.001"), initial=1)
    unit_cost = forms.DecimalField(label=_("Unit cost"), max_digits=14, decimal_places=4, min_value=0)
    reference = forms.CharField(label=_("Delivery note"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class TransferForm(StockForm):
    part = forms.ModelChoiceField(queryset=Part.objects.none(), label=_("Part"))
    source = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("From"))
    destination = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("To"))
    quantity = quantity_input(_("Quantity"), min_value=Decimal("0.001"), initial=1)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class AdjustmentForm(StockForm):
    part = forms.ModelChoiceField(queryset=Part.objects.none(), label=_("Part"))
    location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("Location"))
    quantity = quantity_input(_("Change"), help_text=_("Positive adds, negative removes."))
    note = forms.CharField(label=_("Reason"), max_length=200)


class CountPlanForm(StockForm):
    location = forms.ModelChoiceField(queryset=Location.objects.none(), label=_("Location"))
    planned_for = forms.DateField(label=_("Planned date"), widget=DateInput())
    lines = forms.IntegerField(
        label=_("Parts to count"),
        min_value=1,
        required=False,
        help_text=_("Leave empty to count every part there; otherwise those counted longest ago."),
    )


class CountLineForm(forms.Form):
    counted = quantity_input(_("Counted"), min_value=0)
