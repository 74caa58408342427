"""Date pickers get ISO values whatever the language: a localised date leaves them blank."""

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from maintenir.core.tests.clients import client_for
from maintenir.core.widgets import DateInput, DateTimeInput


def test_the_widgets_write_iso_values_in_french() -> None:
    with translation.override("fr"):
        day = DateInput().render("day", datetime.date(2026, 1, 31))
        moment = DateTimeInput().render("at", datetime.datetime(2026, 1, 31, 14, 5))
    assert 'type="date"' in day
    assert 'value="2026-01-31"' in day
    assert 'type="datetime-local"' in moment
    assert 'value="2026-01-31T14:05"' in moment


@pytest.mark.django_db
def test_the_dispatch_plan_start_date_is_filled_in_french(manager: Any) -> None:
    page = client_for(manager, HTTP_ACCEPT_LANGUAGE="fr").get(reverse("planning-plans")).content.decode()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    [start] = re.findall(r'<input[^>]*name="start"[^>]*>', page)
    assert 'type="date"' in start
    assert f'value="{tomorrow.isoformat()}"' in start
