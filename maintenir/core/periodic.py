"""Periodic tasks without a broker: `maintenir periodic`, a process of its own started beside the web server.

Never a thread of the web server: gunicorn forks its workers from the process that would hold it, and a fork
copies the locks (a database connection, logging, imports) that thread may be holding, but not the thread
that would release them. With MAINTENIR_BROKER_URL set, `maintenir worker --beat` runs the same schedule
with Celery beat.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

from maintenir.core.processes import ParentWatch

logger = logging.getLogger(__name__)


def task_for(entry: dict[str, Any]) -> Any:
    """The task of a schedule entry; its name is its import path (this process ran no Celery autodiscovery)."""
    return import_string(entry["task"])


def run_due_tasks(last_run: dict[str, float], now: float) -> None:
    schedule: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    for name, entry in schedule.items():
        if now - last_run.get(name, float("-inf")) < entry["schedule"]:
            continue
        last_run[name] = now
        try:
            result = task_for(entry).apply()
            logger.info("periodic task %s: %s", name, result.get())
        except Exception:
            logger.exception("periodic task %s failed", name)


def seconds_until_due(last_run: dict[str, float], now: float) -> float:
    schedule: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    return max(0.0, min(last_run.get(name, now) + entry["schedule"] - now for name, entry in schedule.items()))


def run_schedule(
    stop: threading.Event, watch: ParentWatch | None = None, clock: Callable[[], float] = time.monotonic
) -> None:
    """Run each task when due until `stop` is set, or until the process that started this one is gone."""
    last_run: dict[str, float] = {}
    while not stop.is_set():
        run_due_tasks(last_run, clock())
        # Between runs no connection is kept open: the database may be restarted meanwhile.
        close_old_connections()
        # Wake at least every second to notice a server that died without stopping this process.
        remaining = seconds_until_due(last_run, clock())
        while remaining > 0 and not stop.is_set():
            if watch is not None and not watch.parent_alive():
                logger.warning("the server that started the periodic tasks is gone: stopping")
                return
            stop.wait(min(remaining, 1.0))
            remaining = seconds_until_due(last_run, clock())
