"""Retention of readings: raw readings past MAINTENIR_READINGS_RAW_DAYS become hourly rollups.

Each batch (one point, at most a day of its readings) computes the rollups in the database with
one INSERT … SELECT … GROUP BY and deletes the readings it rolled up, in one transaction; so no
reading is dropped without being counted in a rollup, and a second run finds nothing more to do.
Rollups past MAINTENIR_READINGS_ROLLUP_DAYS (0: never) are deleted.

On PostgreSQL the readings are partitioned by day (see `partitions`): a partition whose whole day is
past the cutoff is rolled up by one INSERT … SELECT … GROUP BY and detached and dropped in the same
transaction, no row deleted; what is left past the cutoff (the hours of the cutoff's own day, a wrong
clock's readings in the DEFAULT partition) goes batch by batch as above.
"""

import dataclasses
import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection, transaction
from django.db.models import OuterRef, Q, Subquery

from maintenir.devices import partitions
from maintenir.devices.choices import Quality
from maintenir.devices.history import FROM_EPOCH_SQL, ROLLUP_SECONDS, bucket_sql, floor_time
from maintenir.devices.models import Point, Reading, ReadingRollup

BATCH = datetime.timedelta(days=1)
# PostgreSQL's lock timeout and deadlock: a partition's drop waited too long for the readings' table.
BUSY = {"55P03", "40P01"}


@dataclasses.dataclass
class CompactionReport:
    """What a compaction did (or, dry, would do)."""

    cutoff: datetime.datetime
    rollup_cutoff: datetime.datetime | None
    dry_run: bool = False
    readings: int = 0  # raw readings rolled up, then deleted
    rollups: int = 0  # hourly rollups written
    expired_rollups: int = 0  # rollups deleted past their retention
    batches: int = 0
    partitions: int = 0  # whole day partitions rolled up and dropped (PostgreSQL)
    busy_partitions: int = 0  # left for the next run: the readings' table stayed busy too long to drop them
    already_running: bool = False  # another compaction was under way: this one did nothing


@contextmanager
def _alone() -> Iterator[bool]:
    """Whether this is the only compaction under way. On PostgreSQL two of them (a task that outlasts its period,
    the command run by hand) would both read a batch before either deletes it, and count it twice; SQLite's
    single writer already keeps them apart."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = "hashtext('maintenir: compaction of the readings')"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_try_advisory_lock({key})")
        alone = bool(cursor.fetchone()[0])
    try:
        yield alone
    finally:
        if alone:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT pg_advisory_unlock({key})")


def compact_readings(now: datetime.datetime, dry_run: bool = False) -> CompactionReport:
    """Roll up and delete the raw readings older than the raw retention; delete expired rollups."""
    raw_days = settings.MAINTENIR_READINGS_RAW_DAYS
    rollup_days = settings.MAINTENIR_READINGS_ROLLUP_DAYS
    if raw_days < 1:
        raise ImproperlyConfigured("MAINTENIR_READINGS_RAW_DAYS must be at least 1.")
    if rollup_days < 0:
        raise ImproperlyConfigured("MAINTENIR_READINGS_ROLLUP_DAYS must be 0 (keep forever) or more.")
    # Whole hours only: an hour is never part raw, part rolled up.
    report = CompactionReport(
        cutoff=floor_time(now - datetime.timedelta(days=raw_days), ROLLUP_SECONDS),
        rollup_cutoff=floor_time(now - datetime.timedelta(days=rollup_days), ROLLUP_SECONDS) if rollup_days else None,
        dry_run=dry_run,
    )
    with _alone() as alone:
        if alone or dry_run:
            _compact(report)
        else:
            report.already_running = True
    return report


def _compact(report: CompactionReport) -> None:
    dry_run = report.dry_run
    # Day partitions still there but done with (counted by a dry run, or busy): not batch by batch too.
    skipped = _compact_partitions(report) if partitions.partitioned() else []
    for point_id, oldest in _points_with_old_readings(report.cutoff, skipped):
        start: datetime.datetime | None = oldest
        while start is not None:
            start = floor_time(start, ROLLUP_SECONDS)
            end = min([start + BATCH, report.cutoff, *(since for since, _ in skipped if since > start)])
            if dry_run:
                readings, rollups, expired = _count_batch(point_id, start, end, report.rollup_cutoff)
                report.expired_rollups += expired
            else:
                readings, rollups = _compact_batch(point_id, start, end)
            report.readings += readings
            report.rollups += rollups
            report.batches += 1
            start = _oldest_reading(point_id, end, report.cutoff, skipped)
    if report.rollup_cutoff is not None:
        # Point by point, along the (point, start) index, each deletion its own transaction.
        for point_id in Point.objects.order_by("pk").values_list("pk", flat=True):
            stale = ReadingRollup.objects.filter(point_id=point_id, start__lt=report.rollup_cutoff)
            report.expired_rollups += stale.count() if dry_run else stale.delete()[0]


Interval = tuple[datetime.datetime, datetime.datetime]


def _compact_partitions(report: CompactionReport) -> list[Interval]:
    """Roll up, then drop, each day partition entirely before the cutoff; the days of those left."""
    left = []
    for day, name in sorted(partitions.day_partitions().items()):
        since = partitions.day_start(day)
        if since + partitions.DAY > report.cutoff:
            break
        if report.dry_run:
            readings, rollups, expired = _count_partition(name, report.rollup_cutoff)
            report.expired_rollups += expired
            left.append((since, since + partitions.DAY))
        else:
            try:
                readings, rollups = _compact_partition(name)
            except OperationalError as error:
                if getattr(error.__cause__, "sqlstate", None) not in BUSY:
                    raise
                # Rolled back whole: its readings are still there, and its rollups were not written.
                report.busy_partitions += 1
                left.append((since, since + partitions.DAY))
                continue
        report.readings += readings
        report.rollups += rollups
        report.partitions += 1
    return left


def _outside(intervals: list[Interval]) -> Q:
    outside = Q()
    for since, until in intervals:
        outside &= ~Q(time__gte=since, time__lt=until)
    return outside


@transaction.atomic
def _compact_partition(name: str) -> tuple[int, int]:
    """Roll up the readings of partition `name`, then detach and drop it; (readings, rollups written)."""
    table = connection.ops.quote_name(name)
    _, rollups = _tables()
    with connection.cursor() as cursor:
        # No reading enters the partition between its rollup and its drop: a late one waits, then
        # goes to the DEFAULT partition once this one is gone (or its writer retries).
        cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
        cursor.execute(
            f"WITH hours AS ({_rollup_select('postgresql', table, table)}), "  # noqa: S608
            f"written AS (INSERT INTO {rollups} ({ROLLUP_COLUMNS}) SELECT * FROM hours {MERGE.format(t=rollups)} "
            "RETURNING 1) SELECT (SELECT COALESCE(SUM(count), 0) FROM hours), (SELECT COUNT(*) FROM written)",
            [Quality.BAD],
        )
        readings, written = cursor.fetchone()
    partitions.detach_and_drop(name)
    return int(readings), int(written)


def _count_partition(name: str, rollup_cutoff: datetime.datetime | None) -> tuple[int, int, int]:
    """What `_compact_partition` would do: (readings, rollups written, of which past the rollup retention)."""
    hour = f"(point_id, {bucket_sql('postgresql', 'time', ROLLUP_SECONDS)})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT {hour}), COUNT(DISTINCT CASE WHEN time < %s THEN {hour} END) "  # noqa: S608
            f"FROM {connection.ops.quote_name(name)}",
            [rollup_cutoff],
        )
        readings, hours, expired = cursor.fetchone()
        return readings, hours, expired


def _points_with_old_readings(
    cutoff: datetime.datetime, skipped: list[Interval]
) -> list[tuple[int, datetime.datetime]]:
    """Each point with readings before `cutoff` (and not in `skipped`), and its oldest reading's time
    (from the index)."""
    oldest = (
        Reading.objects.filter(_outside(skipped), point=OuterRef("pk"), time__lt=cutoff)
        .order_by("time")
        .values("time")[:1]
    )
    return list(
        Point.objects.annotate(oldest=Subquery(oldest))
        .filter(oldest__isnull=False)
        .order_by("pk")
        .values_list("pk", "oldest")
    )


def _oldest_reading(
    point_id: int, since: datetime.datetime, before: datetime.datetime, skipped: list[Interval]
) -> datetime.datetime | None:
    return (
        Reading.objects.filter(_outside(skipped), point_id=point_id, time__gte=since, time__lt=before)
        .order_by("time")
        .values_list("time", flat=True)
        .first()
    )


def _rollup_select(vendor: str, source: str, table: str) -> str:
    """SELECT of the hourly rollups of the readings in `source` (a table expression with id, point_id,
    time, value, quality, from the readings `table`); its parameters are the quality "bad" (twice
    on SQLite), then the source's.

    The last value is that of the newest valid reading of the hour: PostgreSQL takes it in the
    aggregate, SQLite looks it up by its time along the (point, time) index.
    """
    bucket = bucket_sql(vendor, "time", ROLLUP_SECONDS)
    start = FROM_EPOCH_SQL[vendor].format("bucket")
    if vendor == "postgresql":
        last_aggregate = (
            ", (ARRAY_AGG(valid_value ORDER BY time DESC, id DESC) FILTER (WHERE valid_value IS NOT NULL))[1]"
            " AS last_value"
        )
        last_value = "last_value"
    else:
        last_aggregate = ""
        last_value = (
            f"(SELECT value FROM {table} AS newest WHERE newest.point_id = hours.point_id "  # noqa: S608
            "AND newest.time = hours.last_time AND newest.quality <> %s ORDER BY newest.id DESC LIMIT 1)"
        )
    return f"""
        SELECT point_id, {start}, {ROLLUP_SECONDS}, count, valid_count, min_value, max_value, mean,
            {last_value}, last_time
        FROM (
            SELECT point_id, bucket, COUNT(*) AS count, COUNT(valid_value) AS valid_count,
                MIN(valid_value) AS min_value, MAX(valid_value) AS max_value, AVG(valid_value) AS mean,
                MAX(CASE WHEN valid_value IS NOT NULL THEN time END) AS last_time{last_aggregate}
            FROM (
                SELECT id, point_id, time, {bucket} AS bucket, CASE WHEN quality <> %s THEN value END AS valid_value
                FROM {source}
            ) AS readings
            GROUP BY point_id, bucket
        ) AS hours
        WHERE true
    """  # noqa: S608


ROLLUP_COLUMNS = "point_id, start, seconds, count, valid_count, min_value, max_value, mean, last_value, last_time"
# A reading delivered after its hour was rolled up joins that hour's rollup (the raw readings it was
# computed from are gone, so the statistics are combined).
NEWER = "excluded.last_time IS NOT NULL AND ({t}.last_time IS NULL OR excluded.last_time >= {t}.last_time)"
MERGE = f"""
    ON CONFLICT (point_id, start, seconds) DO UPDATE SET
        count = {{t}}.count + excluded.count,
        valid_count = {{t}}.valid_count + excluded.valid_count,
        min_value = CASE WHEN excluded.min_value IS NULL OR {{t}}.min_value <= excluded.min_value
            THEN {{t}}.min_value ELSE excluded.min_value END,
        max_value = CASE WHEN excluded.max_value IS NULL OR {{t}}.max_value >= excluded.max_value
            THEN {{t}}.max_value ELSE excluded.max_value END,
        mean = CASE WHEN {{t}}.valid_count + excluded.valid_count = 0 THEN NULL
            ELSE (COALESCE({{t}}.mean * {{t}}.valid_count, 0) + COALESCE(excluded.mean * excluded.valid_count, 0))
                / ({{t}}.valid_count + excluded.valid_count) END,
        last_value = CASE WHEN {NEWER} THEN excluded.last_value ELSE {{t}}.last_value END,
        last_time = CASE WHEN {NEWER} THEN excluded.last_time ELSE {{t}}.last_time END
"""
READINGS_OF_BATCH = "{table} WHERE point_id = %s AND time >= %s AND time < %s"


def _tables() -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(Reading._meta.db_table), quote(ReadingRollup._meta.db_table)


def _batch_params(point_id: int, start: datetime.datetime, end: datetime.datetime) -> list[Any]:
    adapt = connection.ops.adapt_datetimefield_value
    return [point_id, adapt(start), adapt(end)]


@transaction.atomic
def _compact_batch(point_id: int, start: datetime.datetime, end: datetime.datetime) -> tuple[int, int]:
    """Roll up the point's readings in [start, end) and delete them; (readings, rollups written)."""
    readings, rollups = _tables()
    batch = _batch_params(point_id, start, end)
    insert = f"INSERT INTO {rollups} ({ROLLUP_COLUMNS})"
    source = READINGS_OF_BATCH.format(table=readings)
    merge = MERGE.format(t=rollups)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The rollups are computed from the very rows the DELETE removes: a reading committed
            # meanwhile is either in both or in neither.
            cursor.execute(
                f"WITH gone AS (DELETE FROM {source} RETURNING id, point_id, time, value, quality), "  # noqa: S608
                f"written AS ({insert} {_rollup_select('postgresql', 'gone', readings)} {merge} RETURNING 1) "
                "SELECT (SELECT COUNT(*) FROM gone), (SELECT COUNT(*) FROM written)",
                [*batch, Quality.BAD],
            )
            deleted, written = cursor.fetchone()
            return deleted, written
        # SQLite: the transaction holds the write lock from its start, so nothing is inserted in between.
        cursor.execute(
            f"{insert} {_rollup_select(connection.vendor, source, readings)} {merge}",
            [Quality.BAD, Quality.BAD, *batch],
        )
        written = cursor.rowcount
        cursor.execute(f"DELETE FROM {source}", batch)  # noqa: S608
        return cursor.rowcount, written


def _count_batch(
    point_id: int, start: datetime.datetime, end: datetime.datetime, rollup_cutoff: datetime.datetime | None
) -> tuple[int, int, int]:
    """What `_compact_batch` would do: (readings, rollups written, of which past the rollup retention)."""
    readings, _ = _tables()
    bucket = bucket_sql(connection.vendor, "time", ROLLUP_SECONDS)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT {bucket}), COUNT(DISTINCT CASE WHEN time < %s THEN {bucket} END) "  # noqa: S608
            f"FROM {READINGS_OF_BATCH.format(table=readings)}",
            [adapt(rollup_cutoff) if rollup_cutoff else None, *_batch_params(point_id, start, end)],
        )
        count, hours, expired = cursor.fetchone()
        return count, hours, expired
