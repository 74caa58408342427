"""MQTT ingestion end to end: readings published to the broker on 127.0.0.1 until they are stored.

Run with `maintenir bench ingest [--readings N] [--database URL] [--json]`. Readings go in JSON
batches (QoS 1) to 100 points; now and then one of 20 watched points crosses its limit, and the
time from that publication to the condition-based work order is measured. The baseline, in the
same run, is a raw bulk insert of the same readings into the same table (executemany on SQLite,
COPY on PostgreSQL).
"""

import asyncio
import datetime
import json
import socket
import statistics
import time
import uuid
from typing import Any

import aiomqtt
from django.db import connection, transaction
from django.utils import timezone

from maintenir.assets.models import Equipment, EquipmentType, Site
from maintenir.core import bulk
from maintenir.core.models import Organisation
from maintenir.devices.choices import DataType, Protocol, Quality, RegisterType
from maintenir.devices.models import Device, Point, Reading
from maintenir.devices.mqtt import IngestStats, ingest
from maintenir.preventive.choices import ConditionOperator, PlanStatus, TriggerKind
from maintenir.preventive.models import Gamme, GammeStep, GammeVersion, MaintenancePlan, Trigger
from maintenir.workorders.models import WorkOrder

BROKER = ("127.0.0.1", 1883)
POINTS = 100
WATCHED = 20
BATCH = 1000
LIMIT = 1000.0
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


async def publish_and_ingest(readings: int, point_ids: list[int], watched: list[int]) -> dict[str, Any]:
    root = f"bench-{uuid.uuid4().hex}/readings"
    stop = asyncio.Event()
    stats = IngestStats()
    service = asyncio.create_task(ingest(f"mqtt://{BROKER[0]}:{BROKER[1]}", stop, stats, root=root))
    await asyncio.sleep(1.0)  # subscribed
    batches = max(1, readings // BATCH)
    every = max(1, batches // len(watched))
    crossings: dict[int, float] = {}
    started = time.perf_counter()
    async with aiomqtt.Client(*BROKER) as publisher:
        for n in range(batches):
            items = [{"point": point_ids[(n * BATCH + k) % len(point_ids)], "value": 1.0} for k in range(BATCH)]
            await publisher.publish(root, json.dumps(items), qos=1)
            if n % every == 0 and len(crossings) < len(watched):
                point = watched[len(crossings)]
                crossings[point] = time.time()
                await publisher.publish(f"{root}/{point}", json.dumps(LIMIT * 2), qos=1)
    published = time.perf_counter() - started
    expected = batches * BATCH + len(crossings)
    last_count, last_progress = -1, time.perf_counter()
    while stats.stored < expected and time.perf_counter() - last_progress < STALL_SECONDS:
        if stats.stored != last_count:
            last_count, last_progress = stats.stored, time.perf_counter()
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    stop.set()
    await service
    return {
        "expected": expected,
        "stats": stats,
        "crossings": crossings,
        "published_seconds": published,
        "seconds": elapsed,
    }


def baseline(rows: list[dict[str, Any]]) -> float:
    """Seconds to insert the same readings with the fastest raw path of the database, then undone."""
    with transaction.atomic():
        started = time.perf_counter()
        bulk.insert(Reading, rows)
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
        {
            "point_id": point_ids[n % len(point_ids)],
            "time": now + datetime.timedelta(microseconds=n),
            "value": 1.0,
            "quality": Quality.GOOD,
        }
        for n in range(outcome["expected"])
    ]
    baseline_seconds = baseline(rows)
    stored = Reading.objects.count()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None
    return {
        "database": connection.vendor,
        "readings_published": outcome["expected"],
        "readings_stored": stored,
        "lost": outcome["expected"] - stored,
        "rejected": sum(stats.rejected.values()),
        "seconds": round(outcome["seconds"], 2),
        "readings_per_second": round(stored / outcome["seconds"]),
        "baseline_seconds": round(baseline_seconds, 2),
        "baseline_readings_per_second": round(len(rows) / baseline_seconds),
        "ratio": round(baseline_seconds / outcome["seconds"], 3),
        "work_orders": f"{len(latencies)} of {len(outcome['crossings'])} crossings",
        "latency_p50_seconds": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p99_seconds": round(p99, 3) if p99 is not None else None,
    }
