from maintenir.assets.forms import RestrictedChoicesForm
from maintenir.stores.models import Part


class PartForm(RestrictedChoicesForm):
    class Meta:
        model = Part
        fields = [
            *("reference", "description", "manufacturer", "manufacturer_reference", "unit", "category"),
            *("technology", "criticality", "barcode", "superseded_by", "owner"),
        ]
