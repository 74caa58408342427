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
    assert figures["readings_stored"] == figures["readings_published"] == 4004
    assert figures["lost"] == 0
    assert figures["work_orders"] == "4 of 4 crossings"
