"""Readings partitioned by day on PostgreSQL: partitions made ahead, readings routed, old days rolled up
then dropped whole, charts reading only the partitions of their range.

Runs in the PostgreSQL pass of the suite: SQLite keeps one table of readings.
"""

import datetime
import re
import threading
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from maintenir.devices import partitions
from maintenir.devices.choices import Quality
from maintenir.devices.history import Span, point_history
from maintenir.devices.models import Reading, ReadingRollup
from maintenir.devices.retention import compact_readings
from maintenir.devices.tests.factories import PointFactory

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="runs in the PostgreSQL pass of the suite: SQLite keeps one table of readings",
)

UTC = datetime.UTC
NOW = datetime.datetime(2030, 3, 20, 12, 30, tzinfo=UTC)
TODAY = NOW.date()
DAY = datetime.timedelta(days=1)


def attached() -> set[str]:
    """The partitions of the readings' table, by pg_inherits."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits JOIN pg_class AS child ON child.oid = inhrelid "
            "WHERE inhparent = 'devices_reading'::regclass"
        )
        return {name for (name,) in cursor.fetchall()}


def table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT FROM pg_class WHERE relname = %s)", [name])
        return bool(cursor.fetchone()[0])


def stored_in(reading: Reading) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM devices_reading WHERE id = %s", [reading.pk])
        return str(cursor.fetchone()[0])


def window() -> list[datetime.date]:
    """The days `ensure_partitions(NOW)` covers: the raw window and a week ahead."""
    first = (NOW - datetime.timedelta(days=settings.MAINTENIR_READINGS_RAW_DAYS)).date()
    return [first + DAY * n for n in range((TODAY - first).days + partitions.DAYS_AHEAD + 1)]


@pytest.mark.django_db
def test_the_raw_window_and_a_week_ahead_get_a_partition_each_once() -> None:
    report = partitions.ensure_partitions(NOW)
    expected = {partitions.partition_name(day) for day in window()}
    assert set(report.created) == expected
    assert expected | {"devices_reading_default"} <= attached()
    assert partitions.ensure_partitions(NOW).created == []
    # The table's index and key are on every partition.
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [partitions.partition_name(TODAY)])
        definitions = " ".join(row[0] for row in cursor.fetchall())
    assert '(point_id, "time" DESC)' in definitions
    assert '(id, "time")' in definitions


@pytest.mark.django_db
def test_a_reading_goes_to_its_day_and_one_without_a_day_waits_in_the_default_partition() -> None:
    partitions.ensure_partitions(NOW)
    point: Any = PointFactory()
    today, stray = Reading.objects.bulk_create(
        [
            Reading(point=point, time=NOW, value=1.0, quality=Quality.GOOD),
            # A device whose clock is a year ahead.
            Reading(point=point, time=NOW + datetime.timedelta(days=365), value=2.0, quality=Quality.GOOD),
        ]
    )
    assert stray.pk
    assert stored_in(today) == partitions.partition_name(TODAY)
    assert stored_in(stray) == "devices_reading_default"
    assert partitions.ensure_partitions(NOW).in_default == 1
    # When its day comes, its partition takes it over.
    report = partitions.ensure_partitions(NOW + datetime.timedelta(days=365))
    assert report.moved == 1
    assert report.in_default == 0
    assert stored_in(stray) == partitions.partition_name(TODAY + datetime.timedelta(days=365))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_callers_create_each_partition_once() -> None:
    outcomes: list[Any] = []
    start = threading.Barrier(3)

    def ensure() -> None:
        try:
            start.wait()
            outcomes.append(partitions.ensure_partitions(NOW))
        except Exception as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ensure) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    created = [name for report in outcomes for name in report.created]
    assert sorted(created) == sorted(partitions.partition_name(day) for day in window())
    with transaction.atomic():
        for day in window():
            partitions.detach_and_drop(partitions.partition_name(day))


def fill(point: Any, since: datetime.datetime, until: datetime.datetime, step: datetime.timedelta) -> int:
    """A reading every `step` from `since` to `until`, every 7th bad."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO devices_reading (point_id, time, value, quality) "
            "SELECT %s, moment, EXTRACT(EPOCH FROM moment)::bigint %% 97, "
            "CASE WHEN n %% 7 = 0 THEN %s ELSE %s END "
            "FROM generate_series(%s::timestamptz, %s::timestamptz - interval '1 microsecond', %s::interval) "
            "WITH ORDINALITY AS series(moment, n)",
            [point.pk, Quality.BAD, Quality.GOOD, since, until, f"{step.total_seconds()} seconds"],
        )
        return cursor.rowcount


@pytest.mark.django_db
def test_retention_rolls_up_then_drops_whole_days_and_loses_nothing() -> None:
    partitions.ensure_partitions(NOW - datetime.timedelta(days=10))
    point: Any = PointFactory()
    first = datetime.datetime.combine(TODAY - datetime.timedelta(days=41), datetime.time(), UTC)
    total = fill(point, first, NOW, datetime.timedelta(minutes=10))
    cutoff = NOW.replace(minute=0) - datetime.timedelta(days=31)
    old = Reading.objects.filter(time__lt=cutoff).count()
    whole_days = [first.date() + DAY * n for n in range((cutoff.date() - first.date()).days)]
    assert {partitions.partition_name(day) for day in whole_days} <= attached()

    dropped_days = list(partitions.day_partitions())
    dry = compact_readings(NOW, dry_run=True)
    assert Reading.objects.count() == total
    report = compact_readings(NOW)
    assert (dry.readings, dry.rollups, dry.partitions) == (report.readings, report.rollups, report.partitions)

    assert report.readings == old
    # Those of whole_days, and any other (empty) one older.
    assert report.partitions == len([day for day in dropped_days if day < cutoff.date()])
    for day in whole_days:
        assert partitions.partition_name(day) not in attached()
        assert not table_exists(partitions.partition_name(day))
    # The day of the cutoff stays, its hours past the cutoff compacted row by row.
    assert partitions.partition_name(cutoff.date()) in attached()
    assert not Reading.objects.filter(time__lt=cutoff).exists()
    assert Reading.objects.count() == total - old
    # Every reading dropped is counted in a rollup.
    assert ReadingRollup.objects.filter(point=point).aggregate(Sum("count"))["count__sum"] == old
    assert ReadingRollup.objects.filter(point=point).count() == report.rollups == old // 6

    again = compact_readings(NOW)
    assert (again.readings, again.rollups, again.partitions) == (0, 0, 0)


@pytest.mark.django_db
def test_a_dropped_day_s_rollups_equal_the_row_by_row_ones() -> None:
    """The same readings, one copy rolled up as a whole partition, the other in the DEFAULT partition
    (a day without a partition) batch by batch, give the same rollups."""
    day = TODAY - datetime.timedelta(days=40)
    partitions.create_partition(day)
    whole: Any = PointFactory()
    rows: Any = PointFactory()
    since = datetime.datetime.combine(day, datetime.time(), UTC)
    for point in (whole, rows):
        fill(point, since, since + DAY, datetime.timedelta(seconds=97))
    with connection.cursor() as cursor:
        # The second copy a year earlier, where no partition is.
        cursor.execute("UPDATE devices_reading SET time = time - interval '364 days' WHERE point_id = %s", [rows.pk])
    compact_readings(NOW)
    fields = ["count", "valid_count", "min_value", "max_value", "last_value", "mean"]
    ours = list(ReadingRollup.objects.filter(point=whole).order_by("start").values_list(*fields))
    theirs = list(ReadingRollup.objects.filter(point=rows).order_by("start").values_list(*fields))
    assert len(ours) == 24
    assert [row[:-1] for row in ours] == [row[:-1] for row in theirs]
    assert [row[-1] for row in ours] == pytest.approx([row[-1] for row in theirs])
    assert not Reading.objects.exists()


@pytest.mark.django_db
def test_a_chart_of_the_last_day_reads_only_its_days_partitions_along_the_index() -> None:
    partitions.ensure_partitions(NOW)
    points: list[Any] = [PointFactory() for _ in range(20)]
    since = datetime.datetime.combine(TODAY - datetime.timedelta(days=6), datetime.time(), UTC)
    for point in points:
        fill(point, since, NOW, datetime.timedelta(minutes=2))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE devices_reading")
    with CaptureQueriesContext(connection) as queries:
        point_history(points[3], Span.DAY, NOW)
    [query] = [q["sql"] for q in queries.captured_queries if '"devices_reading"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {query}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    read = set(re.findall(r"devices_reading_(?:p\d{8}|default)", plan))
    assert read == {partitions.partition_name(TODAY - DAY), partitions.partition_name(TODAY)}, plan
    assert "Seq Scan" not in plan, plan
    assert "point_id_time_idx" in plan, plan


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_day_whose_drop_waits_too_long_is_left_whole_for_the_next_run(monkeypatch: Any) -> None:
    """A long query on the readings holds off the detach: the day is rolled back whole, not deleted row by row."""
    monkeypatch.setattr(partitions, "LOCK_TIMEOUT", "200ms")
    # Committed, so before the partitions of the days around the suite's run: this day is the only one to drop.
    now = datetime.datetime(2020, 3, 20, 12, 30, tzinfo=UTC)
    day = now.date() - datetime.timedelta(days=40)
    partitions.create_partition(day)
    point: Any = PointFactory()
    since = datetime.datetime.combine(day, datetime.time(), UTC)
    stored = fill(point, since, since + DAY, datetime.timedelta(minutes=5))
    reading_held, release = threading.Event(), threading.Event()

    def long_query() -> None:
        with transaction.atomic():
            list(Reading.objects.filter(point=point)[:1])
            reading_held.set()
            release.wait(30)
        connection.close()

    reader = threading.Thread(target=long_query)
    reader.start()
    try:
        assert reading_held.wait(30)
        report = compact_readings(now)
        assert (report.busy_partitions, report.partitions, report.readings) == (1, 0, 0)
        assert Reading.objects.filter(point=point).count() == stored
        assert not ReadingRollup.objects.filter(point=point).exists()
    finally:
        release.set()
        reader.join()
    report = compact_readings(now)
    assert report.readings == stored
    assert partitions.partition_name(day) not in attached()
    assert ReadingRollup.objects.filter(point=point).aggregate(Sum("count"))["count__sum"] == stored


@pytest.mark.django_db
def test_a_compaction_started_while_another_runs_does_nothing() -> None:
    partitions.ensure_partitions(NOW - datetime.timedelta(days=10))
    point: Any = PointFactory()
    first = datetime.datetime.combine(TODAY - datetime.timedelta(days=35), datetime.time(), UTC)
    total = fill(point, first, NOW, datetime.timedelta(hours=1))
    other = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    try:
        other.execute("SELECT pg_advisory_lock(hashtext('maintenir: compaction of the readings'))")
        report = compact_readings(NOW)
    finally:
        other.close()
    assert report.already_running
    assert (report.readings, report.partitions, Reading.objects.count()) == (0, 0, total)
    assert compact_readings(NOW).readings > 0
