import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenir.core.widgets import DateInput
from maintenir.people.models import Team
from maintenir.planning.choices import Solver


def _tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


class ProposePlanForm(forms.Form):
    start = forms.DateField(label=_("From"), initial=_tomorrow, widget=DateInput())
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=31, initial=5)
    solver = forms.ChoiceField(label=_("Solver"), choices=Solver.choices, initial=Solver.OPTIMISER)
    time_limit = forms.IntegerField(
        label=_("Time limit (s)"),
        min_value=1,
        max_value=120,
        initial=30,
        help_text=_("The optimiser stops at this limit with the best plan found."),
    )


class WeekForm(forms.Form):
    week = forms.DateField(label=_("Week of"), required=False, widget=DateInput())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.restrict(user)  # type: ignore[attr-defined]

    def monday(self) -> datetime.date:
        day = (self.cleaned_data.get("week") if self.is_valid() else None) or timezone.localdate()
        return day - datetime.timedelta(days=day.weekday())


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=DateInput())

    def day_shown(self) -> datetime.date:
        return (self.cleaned_data.get("day") if self.is_valid() else None) or timezone.localdate()
