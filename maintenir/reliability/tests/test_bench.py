import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
def test_the_kpi_benchmark_runs_end_to_end(capfd: pytest.CaptureFixture[str], bench_database: list[str]) -> None:
    """A small run of `maintenir bench kpi` on the suite's database engine: the KPIs of every
    equipment agree with the pandas reference."""
    call_command("bench", "kpi", "--orders", "2000", "--json", *bench_database, stdout=StringIO())
    figures = json.loads(capfd.readouterr().out.strip().splitlines()[-1])
    assert figures["database"] == connection.vendor
    assert figures["equipment"] == 100
    assert figures["downtimes"] == 1600
    assert figures["site_equipment"] == 2
    # 20 orders each, 6 in 10 corrective; one of those 12 neither stopped the equipment nor had a failure coded.
    assert figures["site_failures"] == 2 * 11
    assert figures["equipment_disagreeing_with_reference"] == 0
    assert figures["kpi_all_equipment_ms"] > 0
    assert figures["reference_ms"] > 0
