"""Forms shared by the pages of several apps."""

from django import forms
from django.utils.translation import gettext_lazy as _

from maintenir.core.search import SEARCH_MAX_LENGTH


class CsvImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8 text, comma-separated, with the header line."))

    def clean_file(self) -> str:
        try:
            return str(self.cleaned_data["file"].read().decode("utf-8"))
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from error


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=SEARCH_MAX_LENGTH, strip=True)


class OneTimeCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=10,
        help_text=_("The 6-digit code your authenticator app shows for Maintenir."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
