"""`maintenir demo` as a new user starts it, on a fresh data directory and the embedded SQLite database: it
answers every login while its periodic tasks and live devices run, and stops cleanly on SIGTERM.

The demo always runs on SQLite, so this test belongs to the suite's SQLite pass; the PostgreSQL pass runs
the same soak on `maintenir serve` (maintenir/core/tests/test_serve_soak.py)."""

import sqlite3
from pathlib import Path

import pytest
from django.conf import settings

from maintenir.core.tests import soak

pytestmark = [
    pytest.mark.soak,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="the demo runs on SQLite: the PostgreSQL pass soaks `maintenir serve`",
    ),
]


def test_the_demo_answers_every_login_under_load_then_stops_on_sigterm(tmp_path: Path) -> None:
    port = soak.free_port()
    log = tmp_path / "demo.log"
    environment = {"MAINTENIR_DATA_DIR": str(tmp_path), "MAINTENIR_DATABASE_URL": "", **soak.FREQUENT_TASKS}
    process = soak.start(["demo", "--port", str(port)], environment, log)

    def readings() -> int:
        with sqlite3.connect(tmp_path / "maintenir.sqlite3", timeout=20) as database:
            return int(database.execute("SELECT count(*) FROM devices_reading").fetchone()[0])

    try:
        soak.soak(process, f"http://127.0.0.1:{port}", log, readings, ready_within=300)
    finally:
        soak.kill_session(process)
