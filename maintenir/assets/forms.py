from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maintenir.assets.choices import Technology
from maintenir.assets.models import Building, Document, Equipment, Floor, ProductionLine, Site, Space
from maintenir.core.files import validate_document
from maintenir.core.widgets import DateInput, DateTimeInput


class RestrictedChoicesForm(forms.ModelForm):
    """A model form whose foreign-key choices are limited to what `user` may see."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                queryset = field.queryset
                field.queryset = queryset.model._default_manager.restrict(user).select_related(  # type: ignore[union-attr]
                    *getattr(self, "choice_select_related", {}).get(queryset.model, ())  # type: ignore[union-attr]
                )


class SiteForm(RestrictedChoicesForm):
    class Meta:
        model = Site
        fields = [
            "organisation",
            "code",
            "name",
            "address",
            "postcode",
            "city",
            "country",
            "latitude",
            "longitude",
            "description",
        ]


class EquipmentForm(RestrictedChoicesForm):
    technologies = forms.MultipleChoiceField(
        label=_("Technologies"), choices=Technology.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    # Related objects that the choice labels (__str__) read, fetched with the choices.
    choice_select_related = {Floor: ("building",), Space: ("floor__building",)}

    class Meta:
        model = Equipment
        fields = [
            "site",
            "parent",
            "code",
            "name",
            "equipment_type",
            "building",
            "floor",
            "space",
            "production_line",
            "manufacturer",
            "model",
            "serial_number",
            "installation_date",
            "warranty_end",
            "criticality",
            "service_lot",
            "status",
            "description",
        ]
        widgets = {"installation_date": DateInput(), "warranty_end": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["technologies"].initial = [tag.code for tag in self.instance.technologies.all()]
            # An equipment cannot become its own parent.
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(pk=self.instance.pk)  # type: ignore[attr-defined]


class BuildingForm(forms.ModelForm):
    class Meta:
        model = Building
        fields = ["name"]


class ProductionLineForm(forms.ModelForm):
    class Meta:
        model = ProductionLine
        fields = ["code", "name", "description"]


class FloorForm(forms.ModelForm):
    class Meta:
        model = Floor
        fields = ["building", "name", "level"]


class SpaceForm(forms.ModelForm):
    class Meta:
        model = Space
        fields = ["floor", "name", "usage"]


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["document_type", "title", "version", "file"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].validators.append(validate_document)


class CounterReadingForm(forms.Form):
    """A manual reading of one counter; the time defaults to now."""

    value = forms.DecimalField(label=_("New reading"), max_digits=14, decimal_places=2, min_value=0)
    read_at = forms.DateTimeField(
        label=_("Read at"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Leave empty for now."),
    )
