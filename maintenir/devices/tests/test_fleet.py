"""Several real `maintenir ingest` and `maintenir poll` processes on one database, one of them killed mid-run:
nothing lost, nothing stored twice, a dead poller's devices polled again by the others within a minute.

These tests belong to the suite's PostgreSQL pass: the processes they start use the test database, which the
SQLite pass keeps where another process cannot see it."""

import asyncio
import datetime
import itertools
import json
import re
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiomqtt
import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from maintenir.core.tests import soak
from maintenir.devices import simulators
from maintenir.devices.choices import Protocol
from maintenir.devices.models import Device, IngestSession, Reading
from maintenir.devices.tests.factories import DeviceFactory, PointFactory
from maintenir.devices.tests.test_mqtt import BROKER, broker

__all__ = ["broker"]
pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="runs in the PostgreSQL pass of the suite: the processes it starts must see the test database",
)


def environment(tmp_path: Path, **more: str) -> dict[str, str]:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    url = (
        f"postgres://{database['USER'] or 'postgres'}{password}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    return {"MAINTENIR_DATA_DIR": str(tmp_path), "MAINTENIR_DATABASE_URL": url, "MAINTENIR_LOG_LEVEL": "INFO", **more}


def wait_for(condition: Any, timeout: float, what: str) -> float:
    """Wait until `condition()` holds; the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.1)
    return time.monotonic() - started


def forget_session(client_id: str) -> None:
    """Connecting with a clean session ends the one the broker kept for this id."""

    async def connect() -> None:
        async with aiomqtt.Client(*BROKER, identifier=client_id, clean_session=True):
            pass

    asyncio.run(connect())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_ingest_processes_store_every_reading_once_though_one_is_killed(
    broker: None, equipment_a: Any, tmp_path: Path
) -> None:
    device = DeviceFactory(equipment=equipment_a, protocol=Protocol.MQTT)
    points = [PointFactory(device=device).pk for _ in range(5)]
    tag = uuid.uuid4().hex[:12]
    root, group = f"test-{tag}/readings", f"test-{tag}"
    client_ids = [f"test-{tag}-1", f"test-{tag}-2"]
    env = environment(tmp_path, MAINTENIR_MQTT_URL=f"mqtt://{BROKER[0]}:{BROKER[1]}")
    logs = [tmp_path / "ingest-1.log", tmp_path / "ingest-2.log", tmp_path / "ingest-1-again.log"]

    def start(index: int, log: Path) -> subprocess.Popen[bytes]:
        return soak.start(["ingest", "--client-id", client_ids[index], "--group", group, "--topic", root], env, log)

    messages, per_message = 600, 10
    start_time = timezone.now().replace(microsecond=0) - datetime.timedelta(days=1)

    def payload(n: int) -> bytes:
        # Every reading its own (point, time): the identity counted below.
        return json.dumps(
            [
                {
                    "point": points[k % len(points)],
                    "value": n,
                    "time": (start_time + datetime.timedelta(milliseconds=n * per_message + k)).isoformat(),
                }
                for k in range(per_message)
            ]
        ).encode()

    async def publish(first: int, last: int) -> None:
        async with aiomqtt.Client(*BROKER, max_inflight_messages=20) as publisher:
            for n in range(first, last):
                await publisher.publish(root, payload(n), qos=1)
                await asyncio.sleep(0.005)

    processes = [start(0, logs[0]), start(1, logs[1])]
    try:
        wait_for(lambda: all("Ingesting" in log.read_text() for log in logs[:2]), 60, "both processes started")
        time.sleep(1.5)  # subscribed
        asyncio.run(publish(0, messages // 2))
        # Killed while it has messages received, stored or not, and not all acknowledged.
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait(10)
        asyncio.run(publish(messages // 2, messages * 3 // 4))
        # Restarted under the same id, as a supervisor does: the broker kept its share in its session.
        processes.append(start(0, logs[2]))
        asyncio.run(publish(messages * 3 // 4, messages))
        expected = messages * per_message
        wait_for(lambda: Reading.objects.filter(point__in=points).count() >= expected, 40, "every reading stored")
        time.sleep(1.0)  # anything stored twice would show now
        for process in processes[1:]:
            process.terminate()
            assert process.wait(20) == 0
    finally:
        for process in processes:
            soak.kill_session(process)
        for client_id in client_ids:
            forget_session(client_id)
    readings = Reading.objects.filter(point__in=points)
    assert readings.count() == expected, "no reading lost, none stored twice"
    assert not readings.values("point", "time").annotate(n=Count("id")).filter(n__gt=1).exists()
    # Both received their share: the killed one stored before it died, the other reports its own.
    assert IngestSession.objects.filter(client_id__in=client_ids).count() == 2
    survivor = re.search(r"MQTT: (\d+) messages", logs[1].read_text())
    assert survivor is not None, logs[1].read_text()[-2000:]
    assert 0 < int(survivor.group(1)) < messages


class LeaseLog:
    """The lease lines of the pollers' logs, timed by this test as they appear."""

    LINE = re.compile(r"poller (\S+): device (\d+) .*(taken|given up)")

    def __init__(self, logs: list[Path]) -> None:
        self.logs = logs
        self.events: list[tuple[float, str, int, str]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        offsets = dict.fromkeys(self.logs, 0)
        while not self.stop.is_set():
            self.read(offsets)
            time.sleep(0.05)
        self.read(offsets)

    def read(self, offsets: dict[Path, int]) -> None:
        now = time.monotonic()
        for log in self.logs:
            text = log.read_bytes()[offsets[log] :].decode(errors="replace")
            complete = text[: text.rfind("\n") + 1]
            offsets[log] += len(complete.encode())
            for match in self.LINE.finditer(complete):
                self.events.append((now, match.group(1), int(match.group(2)), match.group(3)))

    def intervals(self, end: dict[str, float]) -> dict[int, list[tuple[float, float, str]]]:
        """Per device, when each poller polled it: from taken to given up (or to its end)."""
        taken: dict[tuple[str, int], float] = {}
        spans: dict[int, list[tuple[float, float, str]]] = {}
        for moment, poller, device, event in self.events:
            if event == "taken":
                taken[poller, device] = moment
            else:
                spans.setdefault(device, []).append((taken.pop((poller, device)), moment, poller))
        for (poller, device), moment in taken.items():
            spans.setdefault(device, []).append((moment, end[poller], poller))
        return spans


@pytest.fixture
def modbus_devices() -> Iterator[list[int]]:
    """Six simulated Modbus meters on 127.0.0.1, served from a thread of their own; their ports."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> list[simulators.ModbusSimulator]:
        return [await simulators.start_modbus_device(0, simulators.ENERGY_METER) for _ in range(6)]

    servers = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    yield [server.port for server in servers]

    async def stop() -> None:
        for server in servers:
            await server.stop()

    asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_pollers_devices_are_polled_again_by_the_other_and_never_by_two(
    equipment_a: Any, modbus_devices: list[int], tmp_path: Path
) -> None:
    devices = []
    for port in modbus_devices:
        device = DeviceFactory(equipment=equipment_a, port=port, poll_interval=1, timeout=0.5)
        PointFactory(device=device, address="0")
        devices.append(device.pk)
    lease = 6.0
    logs = [tmp_path / "poll-a.log", tmp_path / "poll-b.log"]
    pollers = [
        soak.start(["poll", "--lease", str(lease)], environment(tmp_path, MAINTENIR_POLLER_ID=name), log)
        for name, log in zip(["a", "b"], logs, strict=True)
    ]
    lease_log = LeaseLog(logs)
    lease_log.thread.start()
    try:

        def owners() -> dict[int, str]:
            return dict(Device.objects.filter(pk__in=devices).values_list("pk", "lease_owner"))

        # Shared: three each.
        wait_for(lambda: sorted(owners().values()) == ["a"] * 3 + ["b"] * 3, 40, "the devices shared")
        orphans = [pk for pk, owner in owners().items() if owner == "a"]
        pollers[0].send_signal(signal.SIGKILL)
        pollers[0].wait(10)
        killed, killed_at = time.monotonic(), timezone.now()

        def polled_again() -> bool:
            return all(Reading.objects.filter(point__device=pk, time__gt=killed_at).exists() for pk in orphans) and set(
                owners().values()
            ) == {"b"}

        taken_over = wait_for(polled_again, 60, "the killed poller's devices polled again")
        assert taken_over < 60
        pollers[1].terminate()
        assert pollers[1].wait(20) == 0, logs[1].read_text()[-3000:]
        ended = time.monotonic()
    finally:
        lease_log.stop.set()
        lease_log.thread.join(5)
        for process in pollers:
            soak.kill_session(process)
    # Never two pollers on one device at a time.
    for device, spans in lease_log.intervals({"a": killed, "b": ended}).items():
        spans.sort()
        for (_start, end, poller), (start, _end, other) in itertools.pairwise(spans):
            assert start >= end or poller == other, f"device {device} polled by {poller} and {other} at once"
    # Stopped on SIGTERM, the survivor gave every lease up.
    assert set(owners().values()) == {""}
    summary = logs[1].read_text()
    for pk in orphans:
        assert re.search(rf"device {pk}: [1-9]\d* polls", summary), summary[-3000:]
