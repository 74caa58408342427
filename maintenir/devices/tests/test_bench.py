import json
import os
import socket
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
def test_the_ingest_benchmark_runs_end_to_end(capfd: pytest.CaptureFixture[str], bench_database: list[str]) -> None:
    """A small run of `maintenir bench ingest` through the Mosquitto broker, on the suite's database engine."""
    try:
        socket.create_connection(("127.0.0.1", 1883), timeout=1).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail("Mosquitto is not running on 127.0.0.1:1883")
        pytest.skip("Mosquitto is not running on 127.0.0.1:1883")
    args = ["bench", "ingest", "--readings", "4000", "--json", *bench_database]
    call_command(*args, stdout=StringIO())
    figures = json.loads(capfd.readouterr().out.strip().splitlines()[-1])
    assert figures["database"] == connection.vendor
    assert figures["readings_stored"] == figures["readings_published"] == 4000 + 4000 + 4
    assert figures["lost"] == 0
    assert figures["work_orders"] == "4 of 4 crossings"


@pytest.mark.django_db
def test_the_poll_benchmark_runs_end_to_end(capfd: pytest.CaptureFixture[str], bench_database: list[str]) -> None:
    """A small run of `maintenir bench poll`: real pymodbus servers in their own process, on the suite's engine."""
    args = ["bench", "poll", "--devices", "25", "--seconds", "5", "--json", *bench_database]
    call_command(*args, stdout=StringIO())
    figures = json.loads(capfd.readouterr().out.strip().splitlines()[-1])
    assert figures["database"] == connection.vendor
    assert figures["cycles_planned"] == 25
    assert figures["requests_per_cycle"] == 25  # 20 contiguous registers: one request per device
    assert figures["failed_polls"] == figures["baseline_failed_polls"] == 0
    assert figures["readings_stored"] == 20 * figures["cycles_done"] > 0


@pytest.mark.django_db
def test_the_history_benchmark_runs_end_to_end(capfd: pytest.CaptureFixture[str], bench_database: list[str]) -> None:
    """A small run of `maintenir bench history` on the suite's database engine."""
    call_command("bench", "history", "--readings", "5000", "--json", *bench_database, stdout=StringIO())
    figures = json.loads(capfd.readouterr().out.strip().splitlines()[-1])
    assert figures["database"] == connection.vendor
    assert 0 < figures["readings_compacted"] < 5000
    assert figures["readings_compacted"] + figures["readings_left"] == 5000
    assert figures["rollups"] == figures["rollups_written"] == figures["baseline_groups"]
    assert figures["second_run_readings"] == 0
    assert set(figures["history_ms_after"]) == {"hour", "day", "month", "year"}
    # On PostgreSQL the days wholly past the raw retention go as partitions.
    assert (figures["partitions_dropped"] > 0) == (connection.vendor == "postgresql")
