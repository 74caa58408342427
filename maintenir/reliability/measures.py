"""The SQL building blocks of the KPIs, shared by the direct computation and the monthly figures:
periods in the local time zone, seconds since the epoch, local dates, lists of ids, the pieces of
downtime that a union of intervals leaves to each interval, and what a failure is."""

import dataclasses
import datetime
import json
from collections.abc import Iterator
from typing import Any

from django.db.models import (
    BigIntegerField,
    Exists,
    Expression,
    F,
    FloatField,
    Func,
    Max,
    OuterRef,
    Q,
    QuerySet,
    RowRange,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate
from django.utils import timezone

from maintenir.assets.models import Equipment
from maintenir.workorders.choices import DowntimeCause, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import Downtime, WorkOrder

HOUR = 3600


@dataclasses.dataclass(frozen=True)
class Period:
    """[start, end): aware datetimes."""

    start: datetime.datetime
    end: datetime.datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / HOUR

    @property
    def first_day(self) -> datetime.date:
        return timezone.localdate(self.start)

    @property
    def last_day(self) -> datetime.date:
        """The last day the period covers (its end is midnight of the next)."""
        return timezone.localdate(self.end - datetime.timedelta(microseconds=1))

    @classmethod
    def of_days(cls, first: datetime.date, last: datetime.date) -> "Period":
        """From the start of `first` to the end of `last`, in the local time zone."""

        def midnight(day: datetime.date) -> datetime.datetime:
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

        return cls(midnight(first), midnight(last + datetime.timedelta(days=1)))

    @classmethod
    def last_months(cls, count: int, today: datetime.date | None = None) -> "Period":
        """The `count` whole months up to and including the current one."""
        today = today or timezone.localdate()
        first = add_months(today.replace(day=1), 1 - count)
        return cls.of_days(first, add_months(today.replace(day=1), 1) - datetime.timedelta(days=1))

    def months(self) -> Iterator["Period"]:
        """The calendar months the period touches, each cut to the period."""
        month = self.first_day.replace(day=1)
        while month <= self.last_day:
            following = add_months(month, 1)
            yield Period.of_days(max(month, self.first_day), min(following - datetime.timedelta(days=1), self.last_day))
            month = following


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


# Seconds since the epoch; on SQLite through julianday(), which parses a stored datetime faster
# than strftime('%s').
EPOCH_SQL = {
    "sqlite": "CAST(ROUND((julianday({}) - 2440587.5) * 86400) AS INTEGER)",
    "postgresql": "EXTRACT(EPOCH FROM {})::float8",
}


class Epoch(Func):
    """Seconds since the epoch of a datetime, so durations are plain subtractions in either database."""

    output_field = FloatField()

    def as_vendor_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:
        column, params = compiler.compile(self.source_expressions[0])
        return EPOCH_SQL[connection.vendor].format(column), params

    as_sqlite = as_postgresql = as_vendor_sql


class LocalDate(TruncDate):
    """The local date of a datetime. On SQLite, instead of a Python function called for each row,
    the time zone's UTC offsets around `period` are written into the query; a datetime outside
    them is more than a day from the period, where a few hours of offset change no comparison
    with the period's dates."""

    def __init__(self, expression: Any, period: Period) -> None:
        super().__init__(expression)
        self.period = period

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:
        column, params = compiler.compile(self.lhs)
        margin = datetime.timedelta(days=2)
        stretches = utc_offsets(self.period.start - margin, self.period.end + margin)
        cases, case_params = [], []
        for until, offset in stretches[:-1]:
            cases.append(f"WHEN {column} < %s THEN %s")
            case_params += [*params, connection.ops.adapt_datetimefield_value(until), f"{offset:+d} seconds"]
        last = f"{stretches[-1][1]:+d} seconds"
        if not cases:
            return f"date({column}, %s)", [*params, last]
        return f"date({column}, CASE {' '.join(cases)} ELSE %s END)", [*params, *case_params, last]


def utc_offsets(start: datetime.datetime, end: datetime.datetime) -> list[tuple[datetime.datetime, int]]:
    """(until, offset in seconds) for each stretch of constant UTC offset of the current time zone
    between start and end; the last stretch's `until` is `end`."""
    zone = timezone.get_current_timezone()

    def offset(moment: datetime.datetime) -> int:
        return int(moment.astimezone(zone).utcoffset().total_seconds())  # type: ignore[union-attr]

    hour, day = datetime.timedelta(hours=1), datetime.timedelta(days=1)
    stretches: list[tuple[datetime.datetime, int]] = []
    # Absolute time: adding an hour to a local time would add an hour of the wall clock.
    moment, end = start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)
    current = offset(moment)
    while moment < end:
        following = min(moment + day, end)
        if offset(following) != current:
            # Changes happen on the hour: find that hour within the day.
            while offset(moment + hour) == current:
                moment += hour
            stretches.append((moment + hour, current))
            current = offset(moment + hour)
            moment += hour
        else:
            moment = following
    stretches.append((end, current))
    return stretches


# Up to this many equipment, a scope's ids are sent as a list: PostgreSQL then reads their rows by
# the equipment indexes, where for a subquery it reads whole tables to hash-join them.
LISTED_SCOPE = 5000
# The list as one parameter: Django would prepare each of a thousand ids again for every query.
ID_LIST_SQL = {
    "sqlite": "SELECT value FROM json_each(%s)",
    "postgresql": "SELECT unnest(%s::bigint[])",
}


class IdList(Expression):
    """A list of ids as the right-hand side of `__in`, sent as one array (JSON on SQLite)."""

    def __init__(self, ids: list[int]) -> None:
        super().__init__(output_field=BigIntegerField())
        self.ids = ids

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        value = json.dumps(self.ids) if connection.vendor == "sqlite" else self.ids
        return ID_LIST_SQL[connection.vendor], (value,)


def scope_members(equipment: QuerySet[Equipment], count: int) -> Any:
    """The scope's equipment ids as a filter value: a list for a small scope, else a subquery."""
    if count <= LISTED_SCOPE:
        return IdList(list(equipment.order_by().values_list("pk", flat=True)))
    return equipment.values("pk")


def is_failure() -> Q:
    """What EN 13306 calls a failure: a corrective work order, not cancelled, with a failure mode coded
    or an unplanned stop (a downtime caused by a failure). Every count of failures uses this."""
    stopped = Exists(Downtime.objects.filter(work_order=OuterRef("pk"), cause=DowntimeCause.FAILURE))
    return (
        Q(work_type=WorkOrderType.CORRECTIVE)
        & ~Q(status=WorkOrderStatus.CANCELLED)
        & (Q(failure_mode__isnull=False) | Q(stopped))
    )


def failure_q(period: Period) -> Q:
    """The failures raised in the period."""
    return is_failure() & Q(created__gte=period.start, created__lt=period.end)


def failures(period: Period) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(failure_q(period))


def downtime_pieces(intervals: QuerySet[Downtime], start: float, end: float) -> QuerySet[Any]:
    """Each interval cut to [start, end) (seconds since the epoch; an interval still open runs to `end`),
    as `piece_start` and `cut_end`: what is left of it once the intervals of the same equipment that began
    before it are taken out (a running maximum of their ends, computed by a window). The pieces of an
    equipment do not overlap and their union is the union of its intervals, so the overlap of two
    intervals counts once, for the one that began first; `seconds` is a piece's length, 0 when nothing
    is left."""
    cut = intervals.annotate(
        cut_start=Greatest(Epoch("started_at"), Value(start)),
        cut_end=Least(Coalesce(Epoch("ended_at"), Value(end)), Value(end)),
    ).annotate(
        covered=Window(
            Max("cut_end"),
            partition_by=[F("equipment_id")],
            order_by=[F("started_at").asc(), F("pk").asc()],
            frame=RowRange(start=None, end=-1),
        )
    )
    piece_start = Greatest(F("cut_start"), Coalesce(F("covered"), F("cut_start")))
    return cut.annotate(piece_start=piece_start).annotate(seconds=Greatest(F("cut_end") - F("piece_start"), Value(0.0)))
