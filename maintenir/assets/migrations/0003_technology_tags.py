from typing import Any

from django.db import migrations

TECHNOLOGIES = ["electrical", "pneumatic", "mechanical", "hydraulic", "automation"]


def seed(apps: Any, schema_editor: Any) -> None:
    tag = apps.get_model("assets", "TechnologyTag")
    for code in TECHNOLOGIES:
        tag.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("assets", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
