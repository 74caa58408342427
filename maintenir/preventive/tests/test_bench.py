import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
def test_the_preventive_benchmark_runs_on_a_throwaway_database(
    capfd: pytest.CaptureFixture[str], bench_database: list[str]
) -> None:
    """A small run of `maintenir bench preventive`, on the database engine the suite runs on."""
    args = ["bench", "preventive", "--triggers", "30", "--json", *bench_database]
    call_command(*args, stdout=StringIO())
    figures = json.loads(capfd.readouterr().out.strip().splitlines()[-1])
    assert figures["database"] == connection.vendor
    assert figures["orders_created"] == 30
    assert figures["rows_written"] == 30 * 11
    assert figures["second_run_orders"] == 0
    assert figures["ratio"] > 0
