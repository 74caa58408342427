import datetime
import statistics
from typing import Any

import pytest

from maintenir.devices.choices import Quality
from maintenir.devices.history import MAX_BUCKETS, Bucket, Span, fitting_span, point_history
from maintenir.devices.models import Reading, ReadingRollup
from maintenir.devices.retention import compact_readings
from maintenir.devices.tests.factories import PointFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 6, 1, 12, 30, 5, tzinfo=UTC)


def ago(**delta: float) -> datetime.datetime:
    return NOW - datetime.timedelta(**delta)


def add(point: Any, readings: list[tuple[datetime.datetime, float | None, str]]) -> None:
    Reading.objects.bulk_create(Reading(point=point, time=time, value=value, quality=q) for time, value, q in readings)


@pytest.fixture
def point() -> Any:
    return PointFactory()


def test_the_last_hour_is_its_raw_readings(point: Any) -> None:
    add(
        point,
        [
            (ago(minutes=61), 1.0, Quality.GOOD),  # before the hour
            (ago(minutes=50), 2.0, Quality.GOOD),
            (ago(minutes=20), None, Quality.BAD),
            (ago(minutes=10), 4.0, Quality.OUT_OF_RANGE),
            (NOW + datetime.timedelta(seconds=1), 5.0, Quality.GOOD),  # after now
        ],
    )
    history = point_history(point, Span.HOUR, NOW)
    assert history.until == NOW
    assert history.since == datetime.datetime(2026, 6, 1, 11, 30, 0, tzinfo=UTC)
    assert history.buckets == [
        Bucket(ago(minutes=50), 0, 1, 1, 2.0, 2.0, 2.0),
        Bucket(ago(minutes=20), 0, 1, 0, None, None, None),
        Bucket(ago(minutes=10), 0, 1, 1, 4.0, 4.0, 4.0),
    ]


def test_a_busy_hour_is_aggregated_into_at_most_300_buckets(point: Any) -> None:
    add(point, [(ago(seconds=second), float(second), Quality.GOOD) for second in range(3600)])
    buckets = point_history(point, Span.HOUR, NOW).buckets
    assert len(buckets) <= MAX_BUCKETS + 1
    assert {bucket.seconds for bucket in buckets} == {12}
    assert sum(bucket.count for bucket in buckets) == 3600
    # 12 readings of 12 seconds each in a full bucket, one per second.
    full = buckets[1]
    assert (full.count, full.max - full.min, full.mean) == (12, 11.0, (full.min + full.max) / 2)


def test_the_last_day_in_five_minute_buckets(point: Any) -> None:
    start = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    add(
        point,
        [
            (start + datetime.timedelta(seconds=10), 3.0, Quality.GOOD),
            (start + datetime.timedelta(seconds=70), 5.0, Quality.GOOD),
            (start + datetime.timedelta(seconds=130), 100.0, Quality.BAD),
            (start + datetime.timedelta(seconds=299), 10.0, Quality.GOOD),
            (start + datetime.timedelta(seconds=300), 7.0, Quality.GOOD),
            (ago(days=2), 1.0, Quality.GOOD),  # outside the day
        ],
    )
    history = point_history(point, Span.DAY, NOW)
    # The day starts on a whole hour, so compacted hours fit its buckets.
    assert history.since == datetime.datetime(2026, 5, 31, 12, 0, tzinfo=UTC)
    assert history.buckets == [
        Bucket(start, 300, 4, 3, 3.0, 10.0, 6.0),
        Bucket(start + datetime.timedelta(minutes=5), 300, 1, 1, 7.0, 7.0, 7.0),
    ]


def test_a_month_of_readings_every_five_minutes_is_at_most_300_buckets(point: Any) -> None:
    add(point, [(ago(minutes=5 * n), float(n % 50), Quality.GOOD) for n in range(30 * 24 * 12)])
    buckets = point_history(point, Span.MONTH, NOW).buckets
    assert len(buckets) <= MAX_BUCKETS
    assert {bucket.seconds for bucket in buckets} == {3 * 3600}
    assert sum(bucket.count for bucket in buckets) == 30 * 24 * 12


def test_the_month_reads_rollups_where_the_readings_were_compacted(point: Any, settings: Any) -> None:
    # Every 7 minutes for 12 days, with some bad readings.
    readings = [
        (ago(minutes=7 * n), float((n * 37) % 101) - 50, Quality.BAD if n % 11 == 0 else Quality.GOOD)
        for n in range(12 * 24 * 60 // 7)
    ]
    add(point, readings)
    before = point_history(point, Span.MONTH, NOW)
    settings.MAINTENIR_READINGS_RAW_DAYS = 5
    report = compact_readings(NOW)
    assert 0 < report.readings < len(readings)
    after = point_history(point, Span.MONTH, NOW)
    # Three-hour buckets hold whole hours: the chart is the same before and after compaction.
    assert [(b.start, b.count, b.valid_count, b.min, b.max) for b in after.buckets] == [
        (b.start, b.count, b.valid_count, b.min, b.max) for b in before.buckets
    ]
    assert [b.mean for b in after.buckets] == pytest.approx([b.mean for b in before.buckets])
    # Each bucket's statistics are those of its readings.
    for bucket in after.buckets:
        end = bucket.start + datetime.timedelta(seconds=bucket.seconds)
        values = [value for time, value, quality in readings if bucket.start <= time < end and quality != Quality.BAD]
        assert (bucket.min, bucket.max) == (min(values), max(values))
        assert bucket.mean == pytest.approx(statistics.fmean(values))


def test_the_year_reads_rollups_past_the_raw_window_and_raw_readings_within(point: Any) -> None:
    # Hourly for a year; the default raw retention (31 days) leaves the last month raw.
    add(point, [(ago(hours=n), float(n % 24), Quality.GOOD) for n in range(365 * 24)])
    compact_readings(NOW)
    # One rollup an hour, but for the 31 days and the half hour before NOW.
    assert ReadingRollup.objects.filter(point=point).count() == 365 * 24 - (31 * 24 + 1)
    history = point_history(point, Span.YEAR, NOW)
    assert len(history.buckets) <= 366
    assert {bucket.seconds for bucket in history.buckets} == {24 * 3600}
    assert sum(bucket.count for bucket in history.buckets) == 365 * 24
    assert fitting_span(point, NOW) == Span.YEAR


def test_the_day_mixes_rollups_and_raw_readings(point: Any, settings: Any) -> None:
    hour = datetime.datetime(2026, 5, 31, 14, 0, tzinfo=UTC)
    add(point, [(hour + datetime.timedelta(minutes=10 * n), float(n), Quality.GOOD) for n in range(12)])
    settings.MAINTENIR_READINGS_RAW_DAYS = 1
    assert compact_readings(NOW + datetime.timedelta(hours=3)).readings == 6
    buckets = point_history(point, Span.DAY, NOW).buckets
    # The compacted hour is one bucket; the raw readings after it are in five-minute ones.
    assert buckets[0] == Bucket(hour, 3600, 6, 6, 0.0, 5.0, 2.5)
    assert [(b.start, b.seconds, b.mean) for b in buckets[1:]] == [
        (hour + datetime.timedelta(minutes=60 + 10 * n), 300, 6.0 + n) for n in range(6)
    ]


def test_a_series_is_two_queries_whatever_the_readings(point: Any, django_assert_max_num_queries: Any) -> None:
    add(point, [(ago(minutes=n), float(n), Quality.GOOD) for n in range(2000)])
    for span in Span:
        with django_assert_max_num_queries(2):
            point_history(point, span, NOW)


def test_an_unknown_span_is_refused(point: Any) -> None:
    with pytest.raises(ValueError, match="week"):
        point_history(point, "week", NOW)
