"""Compaction of old readings and history charts, on one table of many readings.

Run with `maintenir bench history [--readings N] [--database URL] [--json]`. The readings go to
POINTS points, evenly over the last DAYS days, so about half are older than the raw retention
(31 days). The compaction (hourly rollups computed in the database, raw readings deleted, one
transaction per point and day; on PostgreSQL, whole days go as partitions rolled up then dropped)
is timed against a baseline measured in the same run: the raw GROUP BY of the same readings by
point and hour, which reads them but writes nothing. A second compaction must find nothing. Each
span of one point's history is timed before and after.
"""

import datetime
import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from maintenir.assets.models import Equipment, EquipmentType, Site
from maintenir.core import bulk
from maintenir.core.models import Organisation
from maintenir.devices import partitions
from maintenir.devices.choices import DataType, Protocol, Quality, RegisterType
from maintenir.devices.history import ROLLUP_SECONDS, Span, bucket_sql, floor_time, point_history
from maintenir.devices.models import Device, Point, Reading, ReadingRollup
from maintenir.devices.retention import compact_readings

POINTS = 10
DAYS = 62
CHUNK = 200_000


def build(readings: int, now: datetime.datetime) -> list[int]:
    """The points and their readings, one every DAYS/(readings/POINTS) per point; every 50th is bad."""
    organisation = Organisation.objects.create(name="Bench", code="bench")
    site = Site.objects.create(organisation=organisation, code="bench", name="Bench")
    machine = Equipment.objects.create(
        site=site, code="AHU", name="AHU", equipment_type=EquipmentType.objects.create(name="AHU")
    )
    device = Device.objects.create(equipment=machine, name="Controller", protocol=Protocol.MODBUS_TCP, host="127.0.0.1")
    point_ids = [
        point.pk
        for point in Point.objects.bulk_create(
            Point(
                device=device,
                name=f"p{n}",
                address=str(n),
                register_type=RegisterType.HOLDING,
                data_type=DataType.FLOAT32,
            )
            for n in range(POINTS)
        )
    ]
    if partitions.partitioned():
        # Each day has its partition, as when the readings came in day by day.
        for days_ago in range(DAYS + 1):
            partitions.create_partition((now - datetime.timedelta(days=days_ago)).astimezone(datetime.UTC).date())
    step = datetime.timedelta(days=DAYS) / max(1, readings // POINTS)
    for first in range(0, readings, CHUNK):
        with transaction.atomic():
            bulk.insert(
                Reading,
                [
                    {
                        "point_id": point_ids[n % POINTS],
                        "time": now - step * (n // POINTS) - datetime.timedelta(milliseconds=n % POINTS),
                        "value": float(n % 1000),
                        "quality": Quality.BAD if n % 50 == 0 else Quality.GOOD,
                    }
                    for n in range(first, min(readings, first + CHUNK))
                ],
            )
    return point_ids


def baseline(cutoff: datetime.datetime) -> tuple[float, int]:
    """Seconds to GROUP BY point and hour the readings before `cutoff` (bad ones counted, not in the
    statistics), and the number of groups."""
    bucket = bucket_sql(connection.vendor, "time", ROLLUP_SECONDS)
    table = connection.ops.quote_name(Reading._meta.db_table)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT point_id, {bucket}, COUNT(*), MIN(valid), MAX(valid), AVG(valid) FROM ("  # noqa: S608
            f"SELECT point_id, time, CASE WHEN quality <> %s THEN value END AS valid FROM {table} WHERE time < %s"
            ") AS readings GROUP BY point_id, 2",
            [Quality.BAD, connection.ops.adapt_datetimefield_value(cutoff)],
        )
        groups = len(cursor.fetchall())
    return time.perf_counter() - started, groups


def history_milliseconds(point: Point, now: datetime.datetime) -> dict[str, float]:
    timings = {}
    for span in Span:
        started = time.perf_counter()
        point_history(point, span, now)
        timings[str(span)] = round((time.perf_counter() - started) * 1000, 1)
    return timings


def run(readings: int) -> dict[str, Any]:
    now = timezone.now()
    started = time.perf_counter()
    point_ids = build(readings, now)
    build_seconds = time.perf_counter() - started
    point = Point.objects.get(pk=point_ids[0])
    cutoff = floor_time(now - datetime.timedelta(days=settings.MAINTENIR_READINGS_RAW_DAYS), ROLLUP_SECONDS)
    history_before = history_milliseconds(point, now)

    baseline_seconds, groups = baseline(cutoff)
    started = time.perf_counter()
    report = compact_readings(now)
    compaction_seconds = time.perf_counter() - started
    second = compact_readings(now)
    history_after = history_milliseconds(point, now)
    return {
        "database": connection.vendor,
        "readings": readings,
        "points": POINTS,
        "build_seconds": round(build_seconds, 2),
        "readings_compacted": report.readings,
        "rollups_written": report.rollups,
        "batches": report.batches,
        "partitions_dropped": report.partitions,
        "compaction_seconds": round(compaction_seconds, 2),
        "compaction_readings_per_second": round(report.readings / compaction_seconds) if compaction_seconds else None,
        "baseline_seconds": round(baseline_seconds, 2),
        "baseline_groups": groups,
        "ratio": round(baseline_seconds / compaction_seconds, 3) if compaction_seconds else None,
        "second_run_readings": second.readings,
        "readings_left": Reading.objects.count(),
        "rollups": ReadingRollup.objects.count(),
        "point_readings_before": readings // POINTS,
        "history_ms_before": history_before,
        "history_ms_after": history_after,
    }
