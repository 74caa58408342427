import datetime
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from maintenir.assets.models import Equipment
from maintenir.core.widgets import DateInput
from maintenir.reliability.choices import GroupBy, ParetoBy
from maintenir.reliability.models import ImprovementProposal
from maintenir.reliability.services import Period
from maintenir.workorders.models import FailureMode

MAX_PERIOD_YEARS = 10
# Wide enough for any maintenance history; the ends of the calendar would overflow the period's arithmetic.
DATE_BOUNDS = [MinValueValidator(datetime.date(1900, 1, 1)), MaxValueValidator(datetime.date(2999, 12, 31))]


class KpiForm(forms.Form):
    """The period and breakdown of a KPI page; an empty field takes the scope's default."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput(), validators=DATE_BOUNDS)
    end = forms.DateField(label=_("To"), required=False, widget=DateInput(), validators=DATE_BOUNDS)
    group_by = forms.ChoiceField(label=_("Broken down by"), choices=GroupBy.choices, required=False)
    pareto = forms.ChoiceField(label=_("Pareto of"), choices=ParetoBy.choices, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end is before the start."))
            return data
        if self.errors:
            return data
        # Each month of the period is computed: a period of centuries would keep a worker busy for minutes.
        first, last = self._days(data)
        if (last.year - first.year) * 12 + last.month - first.month >= MAX_PERIOD_YEARS * 12:
            self.add_error(
                "start" if start else "end", _("The period is at most %(years)d years.") % {"years": MAX_PERIOD_YEARS}
            )
        return data

    def period(self) -> Period:
        """The chosen days; by default the last twelve months, this one included."""
        return Period.of_days(*self._days(self.cleaned_data if self.is_valid() else {}))

    @staticmethod
    def _days(data: dict[str, Any]) -> tuple[datetime.date, datetime.date]:
        default = Period.last_months(12)
        start: datetime.date = data.get("start") or default.first_day
        end: datetime.date = data.get("end") or max(start, default.last_day)
        return start, end


class ProposalForm(forms.ModelForm):
    """A new improvement proposal; the argument arrives pre-filled from the equipment's history."""

    class Meta:
        model = ImprovementProposal
        fields = [
            "equipment",
            "failure_mode",
            "title",
            "argument",
            "kind",
            "modification",
            "cost",
            "expected_gain",
            "measure_after_days",
        ]
        widgets = {"argument": forms.Textarea(attrs={"rows": 6}), "modification": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        equipment: Any = self.fields["equipment"]
        equipment.queryset = Equipment.objects.restrict(user).select_related("site")
        failure_mode: Any = self.fields["failure_mode"]
        failure_mode.queryset = FailureMode.objects.filter(is_active=True)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
