"""Ingestion by one, then two, `maintenir ingest` processes sharing one subscription, in the same run.

Run with `maintenir bench ingest-fleet [--readings N] [--database URL] [--json]`; needs the MQTT broker on
127.0.0.1:1883. For each number of processes, the processes are started on a topic and a share group of their
own, a process of its own publishes N readings in JSON batches of 1 000 (QoS 1) as fast as the broker takes
them, and the rate is the readings stored divided by the time from the first publication to the last
reading stored. Lost and duplicated readings are counted against what was published; the baseline is one
process, and the ratio says how much a second one adds.
"""

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiomqtt
from django.db import connection

from benchmarks import mqtt_load
from benchmarks.ingest import BROKER, LIMIT, build, publish_in_child
from maintenir.devices.models import Reading

# Stop waiting when nothing more was stored for this long.
STALL_SECONDS = 15.0


def start(client_id: str, group: str, root: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MAINTENIR_MQTT_URL": f"mqtt://{BROKER[0]}:{BROKER[1]}"}
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "maintenir", "ingest", "--client-id", client_id, "--group", group, "--topic", root],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def forget(client_id: str) -> None:
    async def connect() -> None:
        async with aiomqtt.Client(*BROKER, identifier=client_id, clean_session=True):
            pass

    asyncio.run(connect())


def stored_after(before: int, expected: int) -> tuple[int, float]:
    """Wait until `expected` more readings are stored, or nothing more comes; how many, and when the last came."""
    count, last_at = before, time.time()
    while count - before < expected and time.time() - last_at < STALL_SECONDS:
        time.sleep(0.25)
        now_count = Reading.objects.count()
        if now_count != count:
            count, last_at = now_count, time.time()
    time.sleep(2.0)  # a reading stored twice would show now
    final = Reading.objects.count()
    return final - before, last_at


def round_of(processes: int, readings: int, point_ids: list[int], directory: Path) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:10]
    root, group = f"bench-{tag}/readings", f"bench-{tag}"
    client_ids = [f"bench-{tag}-{n}" for n in range(processes)]
    logs = [directory / f"{client_id}.log" for client_id in client_ids]
    children = [start(client_id, group, root, log) for client_id, log in zip(client_ids, logs, strict=True)]
    try:
        deadline = time.time() + 60
        while not all(log.exists() and "Ingesting" in log.read_text() for log in logs):
            if time.time() > deadline:
                raise SystemExit("the ingest processes did not start:\n" + "\n".join(log.read_text() for log in logs))
            time.sleep(0.2)
        time.sleep(2.0)  # subscribed
        before = Reading.objects.count()
        flood = max(1, readings // mqtt_load.BATCH) * mqtt_load.BATCH
        load = {"broker": BROKER, "root": root, "point_ids": point_ids, "limit": LIMIT}
        _crossings, started, _seconds = asyncio.run(publish_in_child(**load, readings=flood, watched=[], rate=None))
        stored, last_at = stored_after(before, flood)
    finally:
        for child in children:
            child.terminate()
        # The processor time each process spent, from the kernel's account of it.
        cpu = 0.0
        for child in children:
            _pid, _status, usage = os.wait4(child.pid, 0)
            child.returncode = 0
            cpu += usage.ru_utime + usage.ru_stime
        for client_id in client_ids:
            forget(client_id)
    seconds = last_at - started
    return {
        "published": flood,
        "lost": max(0, flood - stored),
        "duplicated": max(0, stored - flood),
        "seconds": round(seconds, 2),
        "readings_per_second": round(min(stored, flood) / seconds),
        "cpu_seconds": round(cpu, 1),
    }


def run(readings: int) -> dict[str, Any]:
    point_ids, _triggers = build()
    with tempfile.TemporaryDirectory(prefix="maintenir-ingest-") as directory:
        one = round_of(1, readings, point_ids, Path(directory))
        two = round_of(2, readings, point_ids, Path(directory))
    return {
        "database": connection.vendor,
        "readings_per_round": one["published"],
        "one_process_seconds": one["seconds"],
        "one_process_readings_per_second": one["readings_per_second"],
        "two_processes_seconds": two["seconds"],
        "two_processes_readings_per_second": two["readings_per_second"],
        "ratio": round(two["readings_per_second"] / one["readings_per_second"], 2),
        "one_process_cpu_seconds": one["cpu_seconds"],
        "two_processes_cpu_seconds": two["cpu_seconds"],
        "lost": one["lost"] + two["lost"],
        "duplicated": one["duplicated"] + two["duplicated"],
    }
