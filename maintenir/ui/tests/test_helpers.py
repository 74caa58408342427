from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError

from maintenir.assets.models import Equipment, Site
from maintenir.ui.templatetags.maintenir_ui import badge_tone
from maintenir.ui.views_helpers import add_errors, can, can_add

pytestmark = pytest.mark.django_db


class NameForm(forms.Form):
    name = forms.CharField()


def test_service_errors_go_to_their_field_or_to_the_form() -> None:
    form = NameForm({"name": "x"})
    assert form.is_valid()
    add_errors(form, ValidationError({"name": "Taken.", "site": "Other site."}))
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Other site."]
    add_errors(form, ValidationError("Plain."))
    assert "Plain." in form.non_field_errors()


def test_permission_flags(client_a: Any, client_b: Any, technician: Any, site_a: Any) -> None:
    assert can(technician, "change", site_a) is False
    assert can(client_a, "view", site_a)
    assert not can(client_b, "view", site_a)
    assert can_add(technician, Equipment)
    assert not can_add(technician, Site)
    assert not can_add(client_a, Equipment)


@pytest.mark.parametrize(
    ("value", "tone"), [("down", "danger"), ("in_service", "ok"), (1, "danger"), (4, "muted"), ("unknown", "muted")]
)
def test_badge_tone(value: Any, tone: str) -> None:
    assert badge_tone(value) == tone
