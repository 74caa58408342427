"""The choices of a report that covers a period, as the page's query string or the API's query."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenir.reliability import services as reliability
from maintenir.reliability.measures import add_months
from maintenir.reports import mailing


class MonthlyReportForm(forms.Form):
    """The month (YYYY-MM; by default the last complete one) and the scope, as on the KPI pages."""

    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], required=False)
    scope = forms.CharField(label=_("Scope"), required=False)
    id = forms.IntegerField(label=_("Scope object"), required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") not in (None, "", reliability.SCOPE_ALL) and data.get("id") is None:
            self.add_error("id", _("Which one is the scope?"))
        return data

    def choices(self) -> tuple[datetime.date, str, int | None]:
        """The month's first day, the scope's kind and its object; call once the form is valid."""
        data = self.cleaned_data
        month = data.get("month") or add_months(timezone.localdate(), -1)
        return month, data.get("scope") or reliability.SCOPE_ALL, data.get("id")


class SendReportForm(forms.Form):
    """Who gets the report by e-mail, and a few words for them."""

    recipients = forms.CharField(
        label=_("Recipients"),
        max_length=2000,
        help_text=_("E-mail addresses, separated by commas."),
        widget=forms.TextInput(attrs={"type": "text", "autocomplete": "email", "inputmode": "email"}),
    )
    message = forms.CharField(
        label=_("Message"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_recipients(self) -> list[str]:
        return mailing.split_addresses(self.cleaned_data["recipients"])
