"""A logged-in test client, for the page tests of every app."""

import csv
import io
from typing import Any

from django.test import Client


def client_for(user: Any, **headers: Any) -> Client:
    """A client logged in as `user`, sending `headers` (e.g. HTTP_ACCEPT_LANGUAGE) with every request."""
    client = Client(**headers)
    client.force_login(user)
    return client


# Text a spreadsheet would run as a formula; every export must write it behind a quote.
HOSTILE = "=cmd|' /C calc'!A0"


def csv_rows(response: Any) -> list[dict[str, str]]:
    """An exported CSV's rows, cells as written (not restored)."""
    return list(csv.DictReader(io.StringIO(response.content.decode())))
