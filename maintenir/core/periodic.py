"""Periodic tasks without a broker: the embedded server runs Celery's beat schedule in a thread.

With MAINTENIR_BROKER_URL set, `maintenir worker --beat` runs the same schedule with Celery beat.
"""

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

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


def start_in_process_scheduler(tick: float = 60.0) -> threading.Thread | None:
    """Start the thread when tasks run in-process (no broker); return it, or None with a broker."""
    if settings.CELERY_BROKER_URL:
        return None
    last_run: dict[str, float] = {}

    def loop() -> None:
        while True:
            run_due_tasks(last_run, time.monotonic())
            # This thread lives as long as the server: do not keep a connection open between runs.
            close_old_connections()
            time.sleep(tick)

    thread = threading.Thread(target=loop, name="maintenir-periodic", daemon=True)
    thread.start()
    return thread
