"""Seeds the ISO 14224 coded lists (failure mode, mechanism, cause, detection, remedy)."""

import json
from pathlib import Path
from typing import Any

from django.db import migrations

LISTS = Path(__file__).resolve().parent.parent / "data" / "iso14224.json"


def seed(apps: Any, schema_editor: Any) -> None:
    for model_name, rows in json.loads(LISTS.read_text(encoding="utf-8")).items():
        model = apps.get_model("workorders", model_name)
        for code, name, name_fr in rows:
            model.objects.update_or_create(code=code, defaults={"name": name, "name_fr": name_fr})


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
