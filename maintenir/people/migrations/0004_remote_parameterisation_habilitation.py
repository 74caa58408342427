"""The remote parameterisation habilitation: who may write parameter sets to any equipment in service,
beyond the equipment of their own open work orders."""

from typing import Any

from django.db import migrations

CODE = "TELEPARAM"


def load(apps: Any, schema_editor: Any) -> None:
    """A row a manager already made under this code is kept as they wrote it."""
    apps.get_model("people", "HabilitationType").objects.get_or_create(
        code=CODE,
        defaults={
            "category": "other",
            "name": "Remote parameterisation of equipment in service",
            "name_fr": "Paramétrage à distance des équipements en service",
            "is_standard": True,
        },
    )


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("people", "HabilitationType").objects.filter(code=CODE, is_standard=True).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0003_habilitation_names_in_french")]

    operations = [migrations.RunPython(load, unload)]
