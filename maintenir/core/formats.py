"""Amounts written as the user's language writes them, in pages, PDFs and messages alike."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import pgettext


def money(value: Decimal | float | int | None) -> str:
    """An amount in euros with two decimals: "194,60 €" in French, "€194.60" in English; None as a dash."""
    if value is None:
        return "—"
    return pgettext("amount in euros", "€%(amount)s") % {"amount": number_format(value, 2)}


def moment(value: datetime.datetime) -> str:
    """A date and time in the local time zone, in the language's short format: "07/12/2026 14:30"."""
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def quantity(value: Decimal) -> str:
    """A stored decimal without its trailing zeros: "1200", "182,5"."""
    # normalize() may give an exponent (1E+2); number_format writes it out in full.
    return number_format(value.normalize())
