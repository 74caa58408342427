"""Every row of every table, to show that a refused or invalid request changed nothing."""

from typing import Any

from django.apps import apps

# Written by logging the test's client in, not by the request under test.
LOGIN_FIELDS = {"last_login"}


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of Maintenir's apps."""
    return {
        model._meta.label: list(
            model._default_manager.order_by("pk").values(
                *(field.attname for field in model._meta.concrete_fields if field.attname not in LOGIN_FIELDS)
            )
        )
        for model in apps.get_models()
        if model.__module__.startswith("maintenir.")
    }
