"""`maintenir serve` on PostgreSQL, as an operator runs it: the demo's data loaded by `maintenir demo --no-serve`,
the demo's devices polled by `maintenir demo-devices` beside it. It answers every login while its periodic tasks
and the live devices run, and stops cleanly on SIGTERM.

This test belongs to the suite's PostgreSQL pass (the SQLite pass soaks `maintenir demo`); it makes a database of
its own on the test server and drops it afterwards."""

from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings

from maintenir.core.tests import soak

DATABASE = settings.DATABASES["default"]
pytestmark = [
    pytest.mark.soak,
    pytest.mark.skipif(
        DATABASE["ENGINE"] != "django.db.backends.postgresql",
        reason="runs in the PostgreSQL pass of the suite: the SQLite pass soaks `maintenir demo`",
    ),
]


def test_serve_on_postgresql_answers_every_login_under_load_then_stops_on_sigterm(
    database: str, tmp_path: Path
) -> None:
    environment: dict[str, Any] = {
        "MAINTENIR_DATA_DIR": str(tmp_path),
        "MAINTENIR_DATABASE_URL": database,
        **soak.FREQUENT_TASKS,
    }
    prepared = soak.start(["demo", "--no-serve"], environment, tmp_path / "prepare.log")
    assert prepared.wait(300) == 0, (tmp_path / "prepare.log").read_text()[-3000:]
    port = soak.free_port()
    log = tmp_path / "serve.log"
    server = soak.start(["serve", "--port", str(port), "--no-migrate"], environment, log)
    devices = soak.start(["demo-devices"], environment, tmp_path / "devices.log")

    def readings() -> int:
        with psycopg.connect(database) as connection:
            row = connection.execute("SELECT count(*) FROM devices_reading").fetchone()
            return int(row[0]) if row else 0

    try:
        soak.soak(server, f"http://127.0.0.1:{port}", log, readings, ready_within=120)
        devices.terminate()
        assert devices.wait(10) == 0, (tmp_path / "devices.log").read_text()[-3000:]
    finally:
        for process in (server, devices):
            soak.kill_session(process)
