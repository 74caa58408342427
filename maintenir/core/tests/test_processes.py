"""The periodic tasks' process and the server's companions: each stops when asked, or when its server is gone."""

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from maintenir.core.periodic import run_schedule, seconds_until_due
from maintenir.core.processes import Companions


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class GoneAfter:
    """A parent that is there for the first `checks` looks, then gone."""

    def __init__(self, checks: int) -> None:
        self.checks = checks

    def parent_alive(self) -> bool:
        self.checks -= 1
        return self.checks >= 0


@pytest.fixture
def schedule(settings: Any) -> dict[str, Any]:
    settings.CELERY_BEAT_SCHEDULE = {
        "often": {"task": "maintenir.workorders.tasks.escalate_on_call", "schedule": 60},
        "seldom": {"task": "maintenir.devices.tasks.compact_readings", "schedule": 3600},
    }
    return settings.CELERY_BEAT_SCHEDULE


def test_the_wait_is_until_the_next_task_falls_due(schedule: dict[str, Any]) -> None:
    assert seconds_until_due({"often": 1000.0, "seldom": 1000.0}, now=1010.0) == 50.0
    assert seconds_until_due({"often": 900.0, "seldom": 1000.0}, now=1010.0) == 0.0


@pytest.mark.django_db
def test_the_schedule_stops_when_its_server_is_gone(schedule: dict[str, Any]) -> None:
    stop = threading.Event()
    started = time.monotonic()
    # Every task runs once, then the loop waits a second at a time, looking for its parent each time.
    run_schedule(stop, GoneAfter(checks=1))  # type: ignore[arg-type]
    assert time.monotonic() - started < 10
    assert not stop.is_set()


@pytest.mark.django_db
def test_the_schedule_stops_when_asked(schedule: dict[str, Any]) -> None:
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    run_schedule(stop)
    assert time.monotonic() - started < 5


def sleeper(ignore_sigterm: bool) -> list[str]:
    handler = "signal.signal(signal.SIGTERM, signal.SIG_IGN); " if ignore_sigterm else ""
    return ["-c", f"import signal, time; {handler}time.sleep(60)"]


def test_companions_are_stopped_by_the_process_that_started_them_only() -> None:
    companions = Companions([])
    companions.processes.append(subprocess.Popen([sys.executable, *sleeper(ignore_sigterm=False)]))
    companions.owner = os.getpid() + 1  # as a forked worker sees it
    companions.stop(grace=1)
    assert companions.processes[0].poll() is None
    companions.owner = os.getpid()
    companions.stop(grace=5)
    assert companions.processes[0].returncode == -signal.SIGTERM


def test_a_companion_that_ignores_sigterm_is_killed_after_the_grace() -> None:
    companions = Companions([])
    companions.owner = os.getpid()
    companions.processes.append(subprocess.Popen([sys.executable, *sleeper(ignore_sigterm=True)]))
    time.sleep(0.5)  # its handler is in place
    started = time.monotonic()
    companions.stop(grace=1)
    assert companions.processes[0].returncode == -signal.SIGKILL
    assert time.monotonic() - started < 5
