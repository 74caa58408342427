"""The monthly figures per equipment (`MonthlyFigures`, `MonthlyFailures`): computed from the rows they
sum by a few grouped queries, and kept equal to them in the transaction that changes one of those rows.

`refresh` recomputes the months of some equipment (or of all) from the source rows; it is idempotent.
Saving or deleting a work order, downtime, time entry, part used or production record refreshes the
(equipment, month) pairs the row counted in, before and after the change, by the receivers below; the
bulk paths that write those rows without `save()` send `workorders.signals.rows_written_in_bulk`, or
call `refresh` themselves. On PostgreSQL an advisory lock per equipment makes two transactions that
refresh the same equipment take turns, so the second reads what the first wrote.

The month of a datetime is its month in the time zone of the settings; the KPIs read the table only
for periods of whole months in that time zone.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DateField, ExpressionWrapper, F, FloatField, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from maintenir.assets.models import Equipment
from maintenir.core import bulk
from maintenir.preventive.services import PREVENTIVE_TYPES, done_on_time, fell_due
from maintenir.reliability.measures import IdList, LocalDate, Period, add_months, downtime_pieces, is_failure
from maintenir.reliability.models import MonthlyFailures, MonthlyFigures, ProductionRecord
from maintenir.workorders.choices import DowntimeCause, WorkOrderStatus, WorkOrderType
from maintenir.workorders.costs import cost_expression
from maintenir.workorders.models import Downtime, PartUsage, TimeEntry, WorkOrder

# The figures a month sums, each with its zero.
SUMMED: dict[str, Any] = {
    "failure_seconds": 0.0,
    "preventive_seconds": 0.0,
    "external_seconds": 0.0,
    "failures": 0,
    "labour_hours": Decimal(0),
    "preventive_hours": Decimal(0),
    "corrective_hours": Decimal(0),
    "parts_cost": Decimal(0),
    "preventive_due": 0,
    "preventive_on_time": 0,
    "planned_hours": Decimal(0),
    "run_hours": Decimal(0),
    "nominal_output": 0.0,
    "output": 0,
    "rejects": 0,
}
DOWNTIME_COLUMNS = {cause: f"{cause.value}_seconds" for cause in DowntimeCause}
# Beyond this many equipment, a refresh locks the whole table rather than each equipment.
LOCKED_ONE_BY_ONE = 1000
LOCK_KEY = 0x4D4F4E54  # "MONT": the advisory locks of the monthly figures

Key = tuple[int, datetime.date]


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_of(moment: datetime.date | datetime.datetime) -> datetime.date:
    """The first day of the month of a date, or of a datetime in the settings' time zone."""
    if isinstance(moment, datetime.datetime):
        moment = moment.astimezone(zone()).date()
    return moment.replace(day=1)


def month_period(month: datetime.date) -> Period:
    return Period(*(datetime.datetime.combine(day, datetime.time(), zone()) for day in (month, add_months(month, 1))))


def whole_months(period: Period) -> tuple[datetime.date, datetime.date] | None:
    """(first month, the month after the last) when the period is made of whole months of the
    settings' time zone and the KPIs are read in that zone; else None."""
    if timezone.get_current_timezone_name() != settings.TIME_ZONE:
        return None
    first, after = month_of(period.start), month_of(period.end)
    if month_period(first).start != period.start or month_period(after).start != period.end:
        return None
    return first, after


def rows_of(period: Period, model: Any = MonthlyFigures) -> QuerySet[Any]:
    """The monthly rows of a period of whole months (`whole_months`)."""
    months = whole_months(period)
    assert months is not None, "a period of whole months"
    return model.objects.filter(month__gte=months[0], month__lt=months[1])


def live_equipment(members: Any, now: datetime.datetime) -> list[int]:
    """The equipment whose downtime depends on the time the KPIs are read: with an interval still
    open, or ending after now. Their downtime is computed from their intervals, not read here."""
    intervals = Downtime.objects.filter(equipment__in=members).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
    return list(intervals.order_by().values_list("equipment_id", flat=True).distinct())


def sums(live: list[int]) -> dict[str, Any]:
    """The aggregates of monthly rows, as `services` reads them; the downtime of `live` equipment left out."""
    # A list of values, not a subquery: PostgreSQL tests each row against it without a subplan.
    steady = ~Q(equipment_id__in=live) if live else None
    return {name: Sum(name, filter=steady if name in DOWNTIME_COLUMNS.values() else None) for name in SUMMED}


# --- Computing and writing -----------------------------------------------------------------------


def refresh(equipment_ids: Iterable[int] | None = None, months: Iterable[datetime.date] | None = None) -> None:
    """Recompute the monthly figures of the equipment (all when None) for the months (first days; all
    the months their history spans when None), in the current transaction."""
    ids = sorted(set(equipment_ids)) if equipment_ids is not None else None
    if ids == []:
        return
    wanted = sorted({month_of(month) for month in months}) if months is not None else None
    with transaction.atomic(), timezone.override(settings.TIME_ZONE):
        _lock(ids)
        span = _span(ids) if wanted is None else (wanted[0], add_months(wanted[-1], 1)) if wanted else None
        stale_figures = MonthlyFigures.objects.all()
        stale_failures = MonthlyFailures.objects.all()
        if ids is not None:
            stale_figures = stale_figures.filter(equipment_id__in=IdList(ids))
            stale_failures = stale_failures.filter(equipment_id__in=IdList(ids))
        if wanted is not None:
            stale_figures = stale_figures.filter(month__in=wanted)
            stale_failures = stale_failures.filter(month__in=wanted)
        stale_figures.delete()
        stale_failures.delete()
        if span is None:
            return
        figures, failures = _compute(ids, Period(month_period(span[0]).start, month_period(span[1]).start))
        if wanted is not None:
            keep = set(wanted)
            figures = {key: values for key, values in figures.items() if key[1] in keep}
            failures = [row for row in failures if row["month"] in keep]
        bulk.insert(
            MonthlyFigures,
            # In the order of the months, so that a period's rows lie together on disk.
            [
                {"equipment_id": pk, "month": month, **figures[pk, month]}
                for pk, month in sorted(figures, key=lambda key: (key[1], key[0]))
            ],
        )
        bulk.insert(MonthlyFailures, failures)


def _lock(ids: list[int] | None) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite lets one transaction write at a time
    with connection.cursor() as cursor:
        if ids is None or len(ids) > LOCKED_ONE_BY_ONE:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [LOCK_KEY])
        # In the order of the ids, so that two refreshes never wait for each other's locks.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, e) FROM (SELECT unnest(%s::int[]) AS e ORDER BY 1) ids",
            [LOCK_KEY, ids],
        )


def _scoped(queryset: QuerySet[Any], lookup: str, ids: list[int] | None) -> QuerySet[Any]:
    return queryset.filter(**{f"{lookup}__in": IdList(ids)}) if ids is not None else queryset


def _span(ids: list[int] | None) -> tuple[datetime.date, datetime.date] | None:
    """The first month of the equipment's history and the month after its last."""
    bounds = [
        _scoped(WorkOrder.objects.all(), "equipment_id", ids).aggregate(a=Min("created"), b=Max("created")),
        _scoped(WorkOrder.objects.all(), "equipment_id", ids).aggregate(a=Min("due_date"), b=Max("due_date")),
        _scoped(Downtime.objects.all(), "equipment_id", ids).aggregate(a=Min("started_at"), b=Max("ended_at")),
        _scoped(TimeEntry.objects.all(), "work_order__equipment_id", ids).aggregate(a=Min("date"), b=Max("date")),
        _scoped(PartUsage.objects.all(), "work_order__equipment_id", ids).aggregate(a=Min("created"), b=Max("created")),
        _scoped(ProductionRecord.objects.all(), "equipment_id", ids).aggregate(a=Min("date"), b=Max("date")),
    ]
    firsts = [month_of(bound["a"]) for bound in bounds if bound["a"] is not None]
    lasts = [month_of(bound["b"]) for bound in bounds if bound["b"] is not None]
    if not firsts:
        return None
    return min(firsts), add_months(max([*firsts, *lasts]), 1)


def _compute(ids: list[int] | None, span: Period) -> tuple[dict[Key, dict[str, Any]], list[dict[str, Any]]]:
    """The figures of each (equipment, month) with any, and the failures by mode and cause, over the span
    (whole months): one grouped query for each kind of row."""
    figures: dict[Key, dict[str, Any]] = defaultdict(lambda: dict(SUMMED))
    month = TruncMonth  # in the current time zone, the settings' one

    failures = []
    orders = _scoped(WorkOrder.objects.all(), "equipment_id", ids).filter(
        is_failure(), created__gte=span.start, created__lt=span.end
    )
    for row in (
        orders.order_by()
        .values("equipment_id", "failure_mode_id", "failure_cause_id", m=month("created", output_field=DateField()))
        .annotate(n=Count("pk"))
    ):
        figures[row["equipment_id"], row["m"]]["failures"] += row["n"]
        failures.append(
            {
                "equipment_id": row["equipment_id"],
                "month": row["m"],
                "failure_mode_id": row["failure_mode_id"],
                "failure_cause_id": row["failure_cause_id"],
                "failures": row["n"],
            }
        )

    due = _scoped(WorkOrder.objects.all(), "equipment_id", ids).filter(
        fell_due(span.first_day, span.last_day), equipment__isnull=False
    )
    for row in (
        due.alias(completed_day=LocalDate("completed_at", span))
        .order_by()
        .values("equipment_id", m=month("due_date"))
        .annotate(due=Count("pk"), on_time=Count("pk", filter=done_on_time("completed_day")))
    ):
        values = figures[row["equipment_id"], row["m"]]
        values["preventive_due"], values["preventive_on_time"] = row["due"], row["on_time"]

    entries = _scoped(TimeEntry.objects.all(), "work_order__equipment_id", ids).filter(
        date__gte=span.first_day, date__lte=span.last_day, work_order__equipment__isnull=False
    )
    for row in (
        entries.order_by()
        .values(e=F("work_order__equipment_id"), m=month("date"))
        .annotate(
            booked=Sum("hours"),
            preventive=Sum("hours", filter=Q(work_order__work_type__in=PREVENTIVE_TYPES)),
            corrective=Sum("hours", filter=Q(work_order__work_type=WorkOrderType.CORRECTIVE)),
        )
    ):
        values = figures[row["e"], row["m"]]
        values["labour_hours"] = row["booked"] or 0
        values["preventive_hours"] = row["preventive"] or 0
        values["corrective_hours"] = row["corrective"] or 0

    parts = _scoped(PartUsage.objects.all(), "work_order__equipment_id", ids).filter(
        created__gte=span.start, created__lt=span.end, work_order__equipment__isnull=False
    )
    for row in (
        parts.order_by()
        .values(e=F("work_order__equipment_id"), m=month("created", output_field=DateField()))
        .annotate(cost=Sum(cost_expression()))
    ):
        figures[row["e"], row["m"]]["parts_cost"] = row["cost"] or 0

    records = _scoped(ProductionRecord.objects.all(), "equipment_id", ids).filter(
        date__gte=span.first_day, date__lte=span.last_day
    )
    nominal = ExpressionWrapper(F("nominal_rate") * F("run_hours"), output_field=FloatField())
    for row in (
        records.order_by()
        .values("equipment_id", m=month("date"))
        .annotate(
            planned=Sum("planned_hours"),
            run=Sum("run_hours"),
            nominal=Sum(nominal),
            made=Sum("output"),
            rej=Sum("rejects"),
        )
    ):
        values = figures[row["equipment_id"], row["m"]]
        values.update(
            planned_hours=row["planned"] or 0,
            run_hours=row["run"] or 0,
            nominal_output=row["nominal"] or 0.0,
            output=row["made"] or 0,
            rejects=row["rej"] or 0,
        )

    for pk, first_day, cause, seconds in _downtime_by_month(ids, span):
        figures[pk, first_day][DOWNTIME_COLUMNS[DowntimeCause(cause)]] = seconds
    return figures, failures


# The pieces of downtime (`downtime_pieces`) cut by the months they overlap.
MONTHLY_DOWNTIME_SQL = """
WITH months(n, s, e) AS (VALUES {values})
SELECT pieces.equipment_id, months.n, pieces.cause,
    SUM({least}(pieces.cut_end, months.e) - {greatest}(pieces.piece_start, months.s))
FROM ({pieces}) pieces JOIN months ON pieces.piece_start < months.e AND pieces.cut_end > months.s
WHERE pieces.piece_start < pieces.cut_end
GROUP BY pieces.equipment_id, months.n, pieces.cause
"""


def _downtime_by_month(ids: list[int] | None, span: Period) -> Iterator[tuple[int, datetime.date, str, float]]:
    """Seconds of downtime per equipment, month and cause: the union of the closed intervals of each
    equipment cut to the span, then cut by month. An interval's piece inside a month is the part of its
    piece that the month holds, as the pieces do not overlap."""
    months = []
    month = month_of(span.start)
    while month < month_of(span.end):
        months.append((month, *(moment.timestamp() for moment in (month_period(month).start, month_period(month).end))))
        month = add_months(month, 1)
    intervals = _scoped(Downtime.objects.all(), "equipment_id", ids).filter(
        started_at__lt=span.end, ended_at__gt=span.start, ended_at__isnull=False
    )
    pieces = (
        downtime_pieces(intervals, span.start.timestamp(), span.end.timestamp())
        .order_by()
        .values("equipment_id", "cause", "piece_start", "cut_end")
    )
    sql, params = pieces.query.sql_with_params()
    functions = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    # Numbered rows with float bounds: PostgreSQL reads the types of a VALUES list from its first row.
    values = ", ".join(
        ["(%s, %s::float8, %s::float8)" if connection.vendor == "postgresql" else "(%s, %s, %s)"] * len(months)
    )
    query = MONTHLY_DOWNTIME_SQL.format(values=values, least=functions[0], greatest=functions[1], pieces=sql)
    month_params: list[Any] = [value for n, (_month, start, end) in enumerate(months) for value in (n, start, end)]
    with connection.cursor() as cursor:
        cursor.execute(query, [*month_params, *params])
        for pk, n, cause, seconds in cursor.fetchall():
            if seconds:
                yield pk, months[n][0], cause, seconds


# --- What a change touches -----------------------------------------------------------------------


def months_between(start: datetime.datetime, end: datetime.datetime) -> list[datetime.date]:
    """The months an interval [start, end] overlaps."""
    months, month, last = [], month_of(start), month_of(max(start, end))
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def _order_keys(equipment_id: int | None, created: datetime.datetime | None, due: datetime.date | None) -> set[Key]:
    if equipment_id is None:
        return set()
    return {(equipment_id, month_of(moment)) for moment in (created, due) if moment is not None}


def keys_of(instance: Any) -> set[Key]:
    """The (equipment, month) pairs a row counts in, as it is now in the database or in memory."""
    if isinstance(instance, WorkOrder):
        keys = _order_keys(instance.equipment_id, instance.created, instance.due_date)
        if instance.equipment_id is not None and instance.pk is not None:
            keys |= {
                (instance.equipment_id, month_of(day)) for day in instance.time_entries.values_list("date", flat=True)
            }
            keys |= {(instance.equipment_id, month_of(at)) for at in instance.parts.values_list("created", flat=True)}
        return keys
    if isinstance(instance, Downtime):
        keys = set()
        if instance.ended_at is not None:
            keys = {(instance.equipment_id, month) for month in months_between(instance.started_at, instance.ended_at)}
        if instance.work_order_id is not None:
            # Whether its order is a failure.
            order = WorkOrder.objects.filter(pk=instance.work_order_id).values_list(
                "equipment_id", "created", "due_date"
            )
            keys |= _order_keys(*order.first() or (None, None, None))
        return keys
    if isinstance(instance, TimeEntry | PartUsage):
        equipment_id = (
            WorkOrder.objects.filter(pk=instance.work_order_id).values_list("equipment_id", flat=True).first()
        )
        moment = instance.date if isinstance(instance, TimeEntry) else instance.created
        return {(equipment_id, month_of(moment))} if equipment_id is not None and moment is not None else set()
    if isinstance(instance, ProductionRecord):
        return {(instance.equipment_id, month_of(instance.date))}
    return set()


# What of a work order the figures read: a change elsewhere (its title, its assignees) changes none.
ORDER_FIELDS = (
    "equipment_id",
    "work_type",
    "status",
    "created",
    "due_date",
    "completed_at",
    "failure_mode_id",
    "failure_cause_id",
)


def _order_state(order: WorkOrder) -> tuple[Any, ...]:
    return tuple(
        (value == WorkOrderStatus.CANCELLED) if name == "status" else value
        for name, value in ((name, getattr(order, name)) for name in ORDER_FIELDS)
    )


def refresh_keys(keys: set[Key]) -> None:
    if keys:
        refresh({pk for pk, _month in keys}, {month for _pk, month in keys})


# --- Receivers (connected in `apps.ReliabilityConfig.ready`) --------------------------------------

WATCHED = (WorkOrder, Downtime, TimeEntry, PartUsage, ProductionRecord)


def before_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Note where the row counted before the change."""
    if raw or instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).first()
    if before is None:
        return
    if isinstance(instance, WorkOrder) and _order_state(before) == _order_state(instance):
        instance._monthly_before = None  # type: ignore[attr-defined]  # nothing the figures read has changed
        return
    instance._monthly_before = keys_of(before)


def after_save(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    if created and isinstance(instance, WorkOrder):
        refresh_keys(_order_keys(instance.equipment_id, instance.created, instance.due_date))
        return
    before: set[Key] | None = getattr(instance, "_monthly_before", set())
    if before is None:
        return
    instance._monthly_before = set()
    refresh_keys(before | keys_of(instance))


def after_delete(sender: Any, instance: Any, origin: Any = None, **kwargs: Any) -> None:
    if isinstance(origin, Equipment) or (isinstance(origin, QuerySet) and origin.model is Equipment):
        return  # its figures go with it
    if isinstance(instance, WorkOrder):
        # Its time entries and parts went before it, each refreshing its own months.
        refresh_keys(_order_keys(instance.equipment_id, instance.created, instance.due_date))
    else:
        refresh_keys(keys_of(instance))


def after_bulk_write(sender: Any, equipment_ids: Iterable[int] | None = None, **kwargs: Any) -> None:
    refresh(equipment_ids)
