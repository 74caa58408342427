import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from maintenir.assets.forms import RestrictedChoicesForm
from maintenir.stores.importers import KINDS
from maintenir.stores.models import Part


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
