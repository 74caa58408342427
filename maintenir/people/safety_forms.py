from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maintenir.core.files import validate_document
from maintenir.core.widgets import DateInput
from maintenir.people.models import PreventionPlan, SiteRisk, Technician


class PreventionPlanForm(forms.ModelForm):
    class Meta:
        model = PreventionPlan
        fields = ["kind", "reference", "valid_from", "valid_until", "client_contact", "measures", "document"]
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].validators.append(validate_document)


class SiteRiskForm(forms.ModelForm):
    class Meta:
        model = SiteRisk
        fields = ["hazard", "location", "severity", "likelihood", "measures", "required_habilitation"]


class RosterForm(forms.Form):
    """A week's roster: one technician per rank, called in this order; empty ranks are dropped."""

    SIZE = 4

    def __init__(self, *args: Any, members: Any, initial_ranks: list[Technician], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for rank in range(1, self.SIZE + 1):
            self.fields[f"rank_{rank}"] = forms.ModelChoiceField(
                queryset=members,
                required=False,
                label=_("Rank %(rank)s") % {"rank": rank},
                initial=initial_ranks[rank - 1] if rank <= len(initial_ranks) else None,
            )

    def technicians(self) -> list[Technician]:
        chosen = (self.cleaned_data.get(f"rank_{rank}") for rank in range(1, self.SIZE + 1))
        return [technician for technician in chosen if technician is not None]
