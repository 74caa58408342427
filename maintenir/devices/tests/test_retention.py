import datetime
import math
from collections.abc import Sequence
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from maintenir.core.periodic import run_due_tasks
from maintenir.devices.choices import Quality
from maintenir.devices.models import Reading, ReadingRollup
from maintenir.devices.retention import compact_readings
from maintenir.devices.tasks import compact_readings as compact_task
from maintenir.devices.tests.factories import PointFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 6, 1, 12, 30, tzinfo=UTC)
# With the default 31 days, readings before this hour are compacted.
CUTOFF = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
OLD_HOUR = datetime.datetime(2026, 4, 20, 8, 0, tzinfo=UTC)


def at(hour: datetime.datetime, minutes: float) -> datetime.datetime:
    return hour + datetime.timedelta(minutes=minutes)


def add(point: Any, readings: Sequence[tuple[datetime.datetime, float | None, str]]) -> None:
    Reading.objects.bulk_create(Reading(point=point, time=time, value=value, quality=q) for time, value, q in readings)


def rollups(point: Any) -> list[dict[str, Any]]:
    fields = ["start", "seconds", "count", "valid_count", "min_value", "max_value", "mean", "last_value", "last_time"]
    return list(ReadingRollup.objects.filter(point=point).order_by("start").values(*fields))


@pytest.fixture
def point() -> Any:
    return PointFactory()


def test_old_readings_become_exact_hourly_rollups_and_are_deleted(point: Any) -> None:
    add(
        point,
        [
            (at(OLD_HOUR, 5), 10.0, Quality.GOOD),
            (at(OLD_HOUR, 20), 14.0, Quality.OUT_OF_RANGE),
            (at(OLD_HOUR, 40), None, Quality.BAD),
            (at(OLD_HOUR, 50), 12.0, Quality.GOOD),
            (at(OLD_HOUR, 59.5), 999.0, Quality.BAD),  # bad, even with a value: counted, not in the statistics
            (at(OLD_HOUR, 60), -3.0, Quality.GOOD),  # the next hour
        ],
    )
    report = compact_readings(NOW)
    assert (report.readings, report.rollups, report.expired_rollups) == (6, 2, 0)
    assert rollups(point) == [
        {
            "start": OLD_HOUR,
            "seconds": 3600,
            "count": 5,
            "valid_count": 3,
            "min_value": 10.0,
            "max_value": 14.0,
            "mean": 12.0,
            "last_value": 12.0,
            "last_time": at(OLD_HOUR, 50),
        },
        {
            "start": at(OLD_HOUR, 60),
            "seconds": 3600,
            "count": 1,
            "valid_count": 1,
            "min_value": -3.0,
            "max_value": -3.0,
            "mean": -3.0,
            "last_value": -3.0,
            "last_time": at(OLD_HOUR, 60),
        },
    ]
    assert not Reading.objects.exists()


def test_an_hour_of_bad_readings_is_counted_without_statistics(point: Any) -> None:
    add(point, [(at(OLD_HOUR, 1), None, Quality.BAD), (at(OLD_HOUR, 2), None, Quality.BAD)])
    compact_readings(NOW)
    [rollup] = rollups(point)
    assert rollup["count"] == 2
    assert rollup["valid_count"] == 0
    assert [rollup[name] for name in ("min_value", "max_value", "mean", "last_value", "last_time")] == [None] * 5


def test_only_whole_hours_past_the_raw_retention_are_compacted(point: Any, settings: Any) -> None:
    add(
        point,
        [
            (CUTOFF - datetime.timedelta(microseconds=1), 1.0, Quality.GOOD),
            (CUTOFF, 2.0, Quality.GOOD),
            # Older than 31 days, but its hour is not: it waits for the next run.
            (at(CUTOFF, 20), 3.0, Quality.GOOD),
            (NOW, 4.0, Quality.GOOD),
        ],
    )
    assert compact_readings(NOW).readings == 1
    assert sorted(Reading.objects.values_list("value", flat=True)) == [2.0, 3.0, 4.0]
    settings.MAINTENIR_READINGS_RAW_DAYS = 40
    assert compact_readings(NOW + datetime.timedelta(days=1)).readings == 0


def test_a_second_run_changes_nothing(point: Any) -> None:
    add(point, [(at(OLD_HOUR, minute), float(minute), Quality.GOOD) for minute in range(0, 180, 7)])
    first = compact_readings(NOW)
    assert first.readings == 26
    assert first.rollups == 3
    before = rollups(point)
    again = compact_readings(NOW)
    assert (again.readings, again.rollups, again.batches) == (0, 0, 0)
    assert rollups(point) == before


def test_a_reading_arriving_after_its_hour_was_compacted_joins_its_rollup(point: Any) -> None:
    add(point, [(at(OLD_HOUR, 10), 10.0, Quality.GOOD), (at(OLD_HOUR, 30), 20.0, Quality.GOOD)])
    compact_readings(NOW)
    add(point, [(at(OLD_HOUR, 20), 3.0, Quality.GOOD), (at(OLD_HOUR, 25), None, Quality.BAD)])
    report = compact_readings(NOW)
    assert (report.readings, report.rollups) == (2, 1)
    [rollup] = rollups(point)
    assert (rollup["count"], rollup["valid_count"], rollup["min_value"], rollup["max_value"]) == (4, 3, 3.0, 20.0)
    assert rollup["mean"] == pytest.approx(11.0)
    # The late reading is older than the hour's last one, which stays the last.
    assert (rollup["last_value"], rollup["last_time"]) == (20.0, at(OLD_HOUR, 30))
    add(point, [(at(OLD_HOUR, 45), 7.0, Quality.GOOD)])
    compact_readings(NOW)
    [rollup] = rollups(point)
    assert (rollup["count"], rollup["last_value"], rollup["last_time"]) == (5, 7.0, at(OLD_HOUR, 45))


def test_a_batch_is_one_point_and_a_day_at_most(point: Any) -> None:
    other = PointFactory()
    days = [OLD_HOUR + datetime.timedelta(days=n, minutes=30) for n in range(3)]
    add(point, [(time, 1.0, Quality.GOOD) for time in days])
    add(other, [(days[0], 2.0, Quality.GOOD)])
    report = compact_readings(NOW)
    assert (report.readings, report.rollups, report.batches) == (4, 4, 4)
    assert ReadingRollup.objects.filter(point=other).count() == 1


def test_rollups_past_their_retention_are_deleted(point: Any, settings: Any) -> None:
    settings.MAINTENIR_READINGS_ROLLUP_DAYS = 365
    ancient = NOW - datetime.timedelta(days=400)
    add(point, [(ancient, 1.0, Quality.GOOD), (at(OLD_HOUR, 1), 2.0, Quality.GOOD)])
    report = compact_readings(NOW)
    # Rolled up, then deleted in the same run: it is older than both retentions.
    assert (report.readings, report.rollups, report.expired_rollups) == (2, 2, 1)
    assert [rollup["start"] for rollup in rollups(point)] == [OLD_HOUR]


def test_the_dry_run_tells_what_a_run_does_and_changes_nothing(point: Any, settings: Any) -> None:
    settings.MAINTENIR_READINGS_ROLLUP_DAYS = 40
    add(point, [(at(OLD_HOUR, minute), 1.0, Quality.GOOD) for minute in (0, 10, 70)])
    ReadingRollup.objects.create(
        point=point, start=OLD_HOUR - datetime.timedelta(days=30), seconds=3600, count=1, valid_count=0
    )
    dry = compact_readings(NOW, dry_run=True)
    assert Reading.objects.count() == 3
    assert ReadingRollup.objects.count() == 1
    done = compact_readings(NOW)
    assert (dry.readings, dry.rollups, dry.expired_rollups) == (done.readings, done.rollups, done.expired_rollups)
    # The old rollup, and the two just written: they are past the 40 days too.
    assert (done.readings, done.rollups, done.expired_rollups) == (3, 2, 3)


@pytest.mark.parametrize(("raw_days", "rollup_days"), [(0, 0), (31, -1)])
def test_retentions_are_checked(settings: Any, raw_days: int, rollup_days: int) -> None:
    settings.MAINTENIR_READINGS_RAW_DAYS = raw_days
    settings.MAINTENIR_READINGS_ROLLUP_DAYS = rollup_days
    with pytest.raises(ImproperlyConfigured, match="MAINTENIR_READINGS_"):
        compact_readings(NOW)


def test_the_command_prints_what_it_did(point: Any) -> None:
    add(point, [(datetime.datetime(2020, 1, 1, 0, minute, tzinfo=UTC), 1.0, Quality.GOOD) for minute in (1, 2)])
    out = StringIO()
    call_command("compact-readings", "--dry-run", stdout=out)
    assert "2 raw readings older than" in out.getvalue()
    assert "would be rolled up into 1 hourly rollups" in out.getvalue()
    assert Reading.objects.count() == 2
    out = StringIO()
    call_command("compact-readings", stdout=out)
    assert "rolled up into 1 hourly rollups" in out.getvalue()
    assert "2 raw readings deleted" in out.getvalue()
    assert "kept forever" in out.getvalue()
    assert not Reading.objects.exists()


def test_the_periodic_task_compacts(point: Any, settings: Any) -> None:
    add(point, [(datetime.datetime(2020, 1, 1, tzinfo=UTC), 1.0, Quality.GOOD)])
    settings.CELERY_BEAT_SCHEDULE = {"compact": {"task": compact_task.name, "schedule": 3600}}
    run_due_tasks({}, now=10_000.0)
    assert not Reading.objects.exists()
    assert ReadingRollup.objects.filter(point=point).count() == 1


def hour_of(time: datetime.datetime) -> datetime.datetime:
    return time.replace(minute=0, second=0, microsecond=0)


readings_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3 * 3600 - 1),
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        st.sampled_from(list(Quality)),
        st.booleans(),
    ),
    min_size=1,
    max_size=40,
)


@given(readings=readings_strategy)
@hypothesis_settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_rollup_statistics_equal_those_computed_in_python(
    point: Any, readings: list[tuple[int, float, str, bool]]
) -> None:
    Reading.objects.all().delete()
    ReadingRollup.objects.all().delete()
    # A bad reading has no value, or a meaningless one.
    samples = [
        (OLD_HOUR + datetime.timedelta(seconds=offset), None if quality == Quality.BAD and empty else value, quality)
        for offset, value, quality, empty in readings
    ]
    add(point, samples)
    compact_readings(NOW)
    actual = rollups(point)
    assert [rollup["start"] for rollup in actual] == sorted({hour_of(time) for time, _, _ in samples})
    for rollup in actual:
        in_hour = [(n, sample) for n, sample in enumerate(samples) if hour_of(sample[0]) == rollup["start"]]
        valid = [(time, n, value) for n, (time, value, quality) in in_hour if quality != Quality.BAD]
        values = [value for _, _, value in valid]
        assert (rollup["count"], rollup["valid_count"]) == (len(in_hour), len(values))
        assert (rollup["min_value"], rollup["max_value"]) == (min(values, default=None), max(values, default=None))
        if values:
            assert math.isclose(rollup["mean"], math.fsum(values) / len(values), rel_tol=1e-9, abs_tol=1e-6)
            # The newest valid reading; of two at the same time, the one stored last.
            last_time, _, last_value = max(valid)
            assert (rollup["last_time"], rollup["last_value"]) == (last_time, last_value)
        else:
            assert (rollup["mean"], rollup["last_time"], rollup["last_value"]) == (None, None, None)
    assert not Reading.objects.exists()
