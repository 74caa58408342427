"""Forms of the where-used lists, the part documents and the repairable units' transitions."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maintenir.assets.forms import DocumentForm, RestrictedChoicesForm
from maintenir.assets.models import Equipment
from maintenir.stores.models import Location, Part, PartDocument, PartFit, Supplier


class PartFitForm(RestrictedChoicesForm):
    class Meta:
        model = PartFit
        fields = ["part", "equipment", "equipment_type", "quantity", "critical", "minimum_stock", "note"]


class PartDocumentForm(DocumentForm):
    """The equipment's document form (and its size check) for a part's data sheet or drawing."""

    class Meta(DocumentForm.Meta):
        model = PartDocument  # type: ignore[assignment]


class RestrictedForm(forms.Form):
    """A plain form whose model choices are limited to what `user` may see."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                model = field.queryset.model  # type: ignore[union-attr]
                field.queryset = model._default_manager.restrict(user)


class UnitReceiveForm(RestrictedForm):
    part = forms.ModelChoiceField(label=_("Part"), queryset=Part.objects.filter(is_repairable=True))
    serial_number = forms.CharField(label=_("Serial number"), max_length=100)
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.all())
    unit_cost = forms.DecimalField(label=_("Unit cost"), max_digits=14, decimal_places=4, min_value=0)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parts = self.fields["part"]
        parts.queryset = parts.queryset.filter(is_repairable=True)  # type: ignore[attr-defined]


class UnitFitForm(RestrictedForm):
    equipment = forms.ModelChoiceField(label=_("Equipment"), queryset=Equipment.objects.all())
    work_order = forms.CharField(label=_("Work order"), max_length=100, required=False)


class UnitRemoveForm(RestrictedForm):
    failed = forms.BooleanField(label=_("Failed"), required=False, help_text=_("It goes for repair."))
    location = forms.ModelChoiceField(
        label=_("Back to stock at"),
        queryset=Location.objects.all(),
        required=False,
        help_text=_("When it is removed in working order."),
    )
    work_order = forms.CharField(label=_("Work order"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class UnitRepairForm(RestrictedForm):
    repairer = forms.ModelChoiceField(label=_("Repairer"), queryset=Supplier.objects.all(), required=False)
    repairer_name = forms.CharField(label=_("Or the repairer's name"), max_length=200, required=False)
    reference = forms.CharField(label=_("Repairer's reference"), max_length=100, required=False)


class UnitReturnForm(RestrictedForm):
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.all())
    cost = forms.DecimalField(label=_("Repair cost"), max_digits=14, decimal_places=4, min_value=0)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class UnitScrapForm(RestrictedForm):
    note = forms.CharField(label=_("Why"), max_length=200)
