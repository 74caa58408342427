from typing import Any

from django.db import migrations


def fill(apps: Any, schema_editor: Any) -> None:
    # A new database has nothing to sum. An existing one gets the figures the KPIs compute from its rows, by the
    # service itself (the historical models cannot run it), with every table it reads already migrated.
    if not apps.get_model("workorders", "WorkOrder").objects.exists():
        return
    from maintenir.reliability import monthly

    monthly.refresh()


class Migration(migrations.Migration):
    dependencies = [
        ("reliability", "0002_monthly_figures"),
        ("workorders", "0011_downtime_ended_at_index"),
        ("stores", "0004_where_used_repairables_documents"),
        ("preventive", "0005_gammepart_plannedpart"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
