"""MQTT ingestion end to end: readings published to the broker on 127.0.0.1 until they are stored.

Run with `maintenir bench ingest [--readings N] [--database URL] [--json]`. A process of its own
publishes the readings in JSON batches of 1 000 (QoS 1) to 100 points: first N readings as fast
as the broker takes them (the flood, which gives the rate), then up to 10 s at 50 000 readings a
second during which each of 20 watched points crosses its limit once; the time from that
publication to the condition-based work order is the latency. The baseline, in the same run, is
a raw bulk insert of the flood's readings into the same table (executemany on SQLite, binary COPY
on PostgreSQL).
"""

import asyncio
import datetime
import multiprocessing
import socket
import statistics
import time
import uuid
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from benchmarks import mqtt_load
from maintenir.assets.models import Equipment, EquipmentType, Site
from maintenir.core import bulk
from maintenir.core.models import Organisation
from maintenir.devices.choices import DataType, Protocol, Quality, RegisterType
from maintenir.devices.models import Device, Point, Reading
from maintenir.devices.mqtt import IngestStats, ingest
from maintenir.devices.services import READING_COLUMNS
from maintenir.preventive.choices import ConditionOperator, PlanStatus, TriggerKind
from maintenir.preventive.models import Gamme, GammeStep, GammeVersion, MaintenancePlan, Trigger
from maintenir.workorders.models import WorkOrder

BROKER = ("127.0.0.1", 1883)
POINTS = 100
WATCHED = 20
LIMIT = 1000.0
# The paced load, under which the latency to the work order is measured: the target rate, for 10 s at most.
PACED_RATE = 50_000
PACED_SECONDS = 10
# Stop waiting when nothing more was stored for this long.
STALL_SECONDS = 30.0


def build() -> tuple[list[int], dict[int, int]]:
    """The points, and the condition trigger watching each of the first WATCHED of them."""
    organisation = Organisation.objects.create(name="Bench", code="bench")
    site = Site.objects.create(organisation=organisation, code="bench", name="Bench")
    machine = Equipment.objects.create(
        site=site, code="PRESS", name="Press", equipment_type=EquipmentType.objects.create(name="Press")
    )
    device = Device.objects.create(equipment=machine, name="Gateway", protocol=Protocol.MQTT, host="127.0.0.1")
    points = Point.objects.bulk_create(
        Point(
            device=device, name=f"p{n}", address=str(n), register_type=RegisterType.HOLDING, data_type=DataType.FLOAT32
        )
        for n in range(POINTS)
    )
    gamme = Gamme.objects.create(code="vib", name="Vibration check")
    GammeStep.objects.create(
        version=GammeVersion.objects.create(gamme=gamme, number=1), position=1, instruction="Check"
    )
    plan = MaintenancePlan.objects.create(site=site, name="Bench", status=PlanStatus.ACTIVE)
    triggers = {
        point.pk: Trigger.objects.create(
            plan=plan,
            gamme=gamme,
            equipment=machine,
            kind=TriggerKind.CONDITION,
            point=point,
            operator=ConditionOperator.ABOVE,
            threshold=LIMIT,
        ).pk
        for point in points[:WATCHED]
    }
    return [point.pk for point in points], triggers


async def publish_in_child(**load: Any) -> tuple[dict[int, float], float, float]:
    """Run `mqtt_load.publish` in a process of its own; its crossings, its start (wall clock) and its seconds."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    started = time.time()
    process = context.Process(target=mqtt_load.publish, kwargs={**load, "results": theirs}, daemon=True)
    process.start()
    crossings, seconds = await asyncio.to_thread(ours.recv)
    await asyncio.to_thread(process.join)
    return crossings, started, seconds


async def stored(stats: IngestStats, expected: int) -> float:
    """Wait until `expected` readings are stored (or nothing more comes for STALL_SECONDS); the time then."""
    last_count, last_progress = -1, time.perf_counter()
    while stats.stored < expected and time.perf_counter() - last_progress < STALL_SECONDS:
        if stats.stored != last_count:
            last_count, last_progress = stats.stored, time.perf_counter()
        await asyncio.sleep(0.01)
    return time.time()


async def publish_and_ingest(readings: int, point_ids: list[int], watched: list[int]) -> dict[str, Any]:
    """The flood (as fast as the broker takes it), then the paced load with the crossings."""
    root = f"bench-{uuid.uuid4().hex}/readings"
    stop = asyncio.Event()
    stats = IngestStats()
    service = asyncio.create_task(ingest(f"mqtt://{BROKER[0]}:{BROKER[1]}", stop, stats, root=root))
    await asyncio.sleep(1.0)  # subscribed
    load = {"broker": BROKER, "root": root, "point_ids": point_ids, "limit": LIMIT}
    flood = max(1, readings // mqtt_load.BATCH) * mqtt_load.BATCH
    _crossings, flood_started, _seconds = await publish_in_child(**load, readings=flood, watched=[], rate=None)
    flood_seconds = await stored(stats, flood) - flood_started
    paced = min(flood, PACED_SECONDS * PACED_RATE)
    crossings, _started, _seconds = await publish_in_child(**load, readings=paced, watched=watched, rate=PACED_RATE)
    expected = flood + max(1, paced // mqtt_load.BATCH) * mqtt_load.BATCH + len(crossings)
    await stored(stats, expected)
    stop.set()
    await service
    return {
        "flood": flood,
        "flood_seconds": flood_seconds,
        "expected": expected,
        "stats": stats,
        "crossings": crossings,
    }


def baseline(rows: list[tuple[int, datetime.datetime, float, str]]) -> float:
    """Seconds to insert the same readings with the fastest raw path of the database, then undone."""
    with transaction.atomic():
        started = time.perf_counter()
        bulk.insert_rows(Reading, READING_COLUMNS, rows)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def run(readings: int) -> dict[str, Any]:
    try:
        socket.create_connection(BROKER, timeout=1).close()
    except OSError as error:
        raise SystemExit(f"the ingest benchmark needs the MQTT broker on 127.0.0.1:1883: {error}") from error
    point_ids, triggers = build()
    outcome = asyncio.run(publish_and_ingest(readings, point_ids, list(triggers)))
    stats: IngestStats = outcome["stats"]
    created = dict(
        WorkOrder.objects.filter(preventive_origin__trigger__in=triggers.values()).values_list(
            "preventive_origin__trigger__point_id", "created"
        )
    )
    latencies = sorted(
        max(0.0, created[point].timestamp() - sent) for point, sent in outcome["crossings"].items() if point in created
    )
    now = timezone.now()
    rows = [
        (point_ids[n % len(point_ids)], now + datetime.timedelta(microseconds=n), 1.0, Quality.GOOD.value)
        for n in range(outcome["flood"])
    ]
    baseline_seconds = baseline(rows)
    stored = Reading.objects.count()
    flood_seconds = outcome["flood_seconds"]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None
    return {
        "database": connection.vendor,
        "readings_published": outcome["expected"],
        "readings_stored": stored,
        "lost": outcome["expected"] - stored,
        "rejected": sum(stats.rejected.values()),
        "flood_readings": outcome["flood"],
        "flood_seconds": round(flood_seconds, 2),
        "readings_per_second": round(outcome["flood"] / flood_seconds),
        "baseline_seconds": round(baseline_seconds, 2),
        "baseline_readings_per_second": round(len(rows) / baseline_seconds),
        "ratio": round(baseline_seconds / flood_seconds, 3),
        "paced_readings_per_second": PACED_RATE,
        "work_orders": f"{len(latencies)} of {len(outcome['crossings'])} crossings",
        "latency_p50_seconds": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p99_seconds": round(p99, 3) if p99 is not None else None,
    }
