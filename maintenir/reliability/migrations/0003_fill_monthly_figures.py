from typing import Any

from django.db import migrations


def fill(apps: Any, schema_editor: Any) -> None:
    # The service, not the historical models: the figures are what the KPIs compute from today's rows.
    from maintenir.reliability import monthly

    monthly.refresh()


class Migration(migrations.Migration):
    dependencies = [("reliability", "0002_monthly_figures"), ("workorders", "0011_downtime_ended_at_index")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
