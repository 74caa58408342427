"""Form widgets shared by every app's pages."""

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and writes ISO dates whatever the page's language:
    a localised value ("07/12/2026") would leave it blank."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker, which likewise reads and writes ISO values only."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
