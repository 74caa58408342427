"""A point's history for charts: at most a few hundred buckets, aggregated in the database.

Recent readings are raw; older hours survive as hourly rollups (see `retention`). A series reads
both and merges them, so a chart looks the same before and after compaction, only coarser. Each
reading is in one of them, never both, so both are read over the whole span: past the raw window
the raw side finds nothing along the (point, time) index (on PostgreSQL, the days' partitions are
gone, and the DEFAULT one holds a stray few), and the rollups carry the chart; within it, the raw
readings do.
"""

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenir.devices.choices import Quality
from maintenir.devices.models import Point, Reading, ReadingRollup

# Rollups cover one hour each.
ROLLUP_SECONDS = 3600
MAX_BUCKETS = 300

# Seconds since the epoch of a datetime column, in each database's SQL ('%%' is a '%' once the
# query is sent with its parameters).
EPOCH_SQL = {
    "sqlite": "CAST(strftime('%%s', {}) AS INTEGER)",
    "postgresql": "FLOOR(EXTRACT(EPOCH FROM {}))::bigint",
}
# ... and back: the datetime of a number of seconds since the epoch.
FROM_EPOCH_SQL = {"sqlite": "datetime({}, 'unixepoch')", "postgresql": "to_timestamp({})"}


def bucket_sql(vendor: str, column: str, seconds: int) -> str:
    """SQL for the start, in seconds since the epoch, of the `seconds`-long bucket holding `column`."""
    return f"(({EPOCH_SQL[vendor].format(column)}) / {int(seconds)}) * {int(seconds)}"


class EpochBucket(models.Func):
    """`bucket_sql` as an ORM expression, so GROUP BY it runs in the database."""

    output_field = models.BigIntegerField()

    def __init__(self, expression: Any, seconds: int) -> None:
        super().__init__(expression)
        self.seconds = seconds

    def as_vendor_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:
        column, params = compiler.compile(self.source_expressions[0])
        return bucket_sql(connection.vendor, column, self.seconds), params

    as_sqlite = as_postgresql = as_vendor_sql


class Span(models.TextChoices):
    HOUR = "hour", _("Last hour")
    DAY = "day", _("Last day")
    MONTH = "month", _("Last month")
    YEAR = "year", _("Last year")


# Span → (its length, the width of its buckets).
SPANS = {
    Span.HOUR: (datetime.timedelta(hours=1), datetime.timedelta(seconds=12)),
    Span.DAY: (datetime.timedelta(days=1), datetime.timedelta(minutes=5)),
    Span.MONTH: (datetime.timedelta(days=30), datetime.timedelta(hours=3)),
    # Past the raw retention (31 days by default) these are rolled-up hours: about 8 760 rows a year.
    Span.YEAR: (datetime.timedelta(days=365), datetime.timedelta(days=1)),
}
VALID = ~Q(quality=Quality.BAD)


@dataclasses.dataclass(frozen=True)
class Bucket:
    """The readings from `start` for `seconds` (0: one raw reading): `count` of them, of which
    `valid_count` (not of bad quality) make the statistics."""

    start: datetime.datetime
    seconds: int
    count: int
    valid_count: int
    min: float | None
    max: float | None
    mean: float | None

    @property
    def middle(self) -> datetime.datetime:
        return self.start + datetime.timedelta(seconds=self.seconds / 2)


@dataclasses.dataclass(frozen=True)
class History:
    point: Point
    span: Span
    since: datetime.datetime
    until: datetime.datetime
    buckets: list[Bucket]


def floor_time(moment: datetime.datetime, seconds: int) -> datetime.datetime:
    """`moment` rounded down to a multiple of `seconds` since the epoch (UTC)."""
    epoch = int(moment.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % seconds, datetime.UTC)


def fitting_span(point: Point, now: datetime.datetime | None = None) -> Span:
    """The shortest span that holds all the point's readings (the longest when some are older), so a
    chart opens on its data and not on a sliver of it; a point without readings opens on the day."""
    now = now or timezone.now()

    def read_before(moment: datetime.datetime | None) -> bool:
        readings, rollups = Reading.objects.filter(point=point), ReadingRollup.objects.filter(point=point)
        if moment is not None:
            readings, rollups = readings.filter(time__lt=moment), rollups.filter(start__lt=moment)
        return readings.exists() or rollups.exists()

    if not read_before(None):
        return Span.DAY
    for span in (Span.HOUR, Span.DAY, Span.MONTH):
        if not read_before(now - SPANS[span][0]):
            return span
    return Span.YEAR


def point_history(point: Point, span: Span | str, now: datetime.datetime | None = None) -> History:
    """The point's readings over the last hour, day, month or year, in at most about MAX_BUCKETS buckets
    (a year: 365 days).

    The hour gives the raw readings when there are few enough; otherwise, and for the longer spans,
    each bucket has the count, minimum, maximum and mean of its readings.
    """
    span = Span(span)
    until = now or timezone.now()
    length, width = SPANS[span]
    seconds = int(width.total_seconds())
    # Buckets of a day or a month start on whole hours, so rolled-up hours fall into them whole.
    since = floor_time(until - length, seconds if span == Span.HOUR else max(seconds, ROLLUP_SECONDS))
    if span == Span.HOUR:
        readings = list(
            Reading.objects.filter(point=point, time__gte=since, time__lte=until)
            .order_by("-time")
            .values_list("time", "value", "quality")[: MAX_BUCKETS + 1]
        )
        if len(readings) <= MAX_BUCKETS:
            return History(point, span, since, until, [_raw_bucket(*reading) for reading in reversed(readings)])
    buckets = _merge([*_raw_buckets(point, since, until, seconds), *_rollup_buckets(point, since, until, seconds)])
    return History(point, span, since, until, buckets)


def _raw_bucket(time: datetime.datetime, value: float | None, quality: str) -> Bucket:
    value = None if quality == Quality.BAD else value
    return Bucket(time, 0, 1, int(value is not None), value, value, value)


def _raw_buckets(point: Point, since: datetime.datetime, until: datetime.datetime, seconds: int) -> list[Bucket]:
    rows = (
        Reading.objects.filter(point=point, time__gte=since, time__lte=until)
        .annotate(bucket=EpochBucket("time", seconds))
        .values("bucket")
        .annotate(
            count=Count("pk"),
            low=Min("value", filter=VALID),
            high=Max("value", filter=VALID),
            total=Sum("value", filter=VALID),
            valid=Count("value", filter=VALID),
        )
        .order_by("bucket")
    )
    return [_bucket(row, seconds) for row in rows]


def _rollup_buckets(point: Point, since: datetime.datetime, until: datetime.datetime, seconds: int) -> list[Bucket]:
    # A rolled-up hour cannot be split: its bucket is at least an hour wide.
    seconds = max(seconds, ROLLUP_SECONDS)
    rows = (
        ReadingRollup.objects.filter(point=point, start__gte=since, start__lte=until)
        .annotate(bucket=EpochBucket("start", seconds))
        .values("bucket")
        .annotate(
            count=Sum("count"),
            low=Min("min_value"),
            high=Max("max_value"),
            total=Sum(F("mean") * F("valid_count"), output_field=models.FloatField()),
            valid=Sum("valid_count"),
        )
        .order_by("bucket")
    )
    return [_bucket(row, seconds) for row in rows]


def _bucket(row: Mapping[str, Any], seconds: int) -> Bucket:
    start = datetime.datetime.fromtimestamp(row["bucket"], datetime.UTC)
    mean = row["total"] / row["valid"] if row["valid"] else None
    return Bucket(start, seconds, row["count"], row["valid"], row["low"], row["high"], mean)


def _merge(buckets: list[Bucket]) -> list[Bucket]:
    """One bucket per start: an hour partly rolled up and partly raw (a late reading) counts once."""
    merged: dict[datetime.datetime, Bucket] = {}
    for bucket in buckets:
        other = merged.get(bucket.start)
        merged[bucket.start] = bucket if other is None else _combine(other, bucket)
    return [merged[start] for start in sorted(merged)]


def _combine(a: Bucket, b: Bucket) -> Bucket:
    lows = [value for value in (a.min, b.min) if value is not None]
    highs = [value for value in (a.max, b.max) if value is not None]
    valid = a.valid_count + b.valid_count
    total = sum(bucket.mean * bucket.valid_count for bucket in (a, b) if bucket.mean is not None)
    return Bucket(
        a.start,
        max(a.seconds, b.seconds),
        a.count + b.count,
        valid,
        min(lows, default=None),
        max(highs, default=None),
        total / valid if valid else None,
    )
