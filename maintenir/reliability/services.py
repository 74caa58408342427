"""Reliability KPIs, computed in the database by aggregate queries grouped by the chosen breakdown.

The definitions follow EN 15341 as the domain note states them; each is repeated on the page that
shows it (`DEFINITIONS`). For a scope of equipment over a period [start, end):

- required time: the period's length, for each equipment of the scope;
- downtime: the union of the equipment's downtime intervals cut to the period (an interval still
  open runs to the period's end or to now); where intervals overlap, the overlap counts once, for
  the interval that began first;
- failures: what EN 13306 calls one, the item lost its ability to do its job: corrective work orders
  (not cancelled) created in the period with a failure mode coded or a downtime caused by a failure;
  corrective work that found nothing failed (a backup, an adjustment) is not a failure;
- time to restoration: downtime caused by a failure.

A query returns one row per group; Python merges those rows, never one row per order.
"""

import dataclasses
import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, ExpressionWrapper, F, FloatField, Q, QuerySet, Sum, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenir.assets.models import Equipment, EquipmentType, ProductionLine, Site
from maintenir.core.models import Organisation
from maintenir.preventive.services import PREVENTIVE_TYPES, done_on_time, fell_due
from maintenir.reliability import monthly
from maintenir.reliability.choices import GroupBy, ParetoBy
from maintenir.reliability.measures import (
    HOUR,
    IdList,
    LocalDate,
    Period,
    downtime_pieces,
    failure_q,
    failures,
    scope_members,
)
from maintenir.reliability.models import MonthlyFailures, ProductionRecord
from maintenir.workorders.choices import OPEN_STATUSES, DowntimeCause, WorkOrderStatus, WorkOrderType
from maintenir.workorders.costs import cost_expression
from maintenir.workorders.models import Downtime, FailureCause, FailureMode, PartUsage, TimeEntry, WorkOrder

# The backlog is work accepted but not done; a request not yet approved is not in it.
BACKLOG_STATUSES = sorted(OPEN_STATUSES - {WorkOrderStatus.REQUESTED})
# Each breakdown's key, as a lookup from an equipment.
GROUP_LOOKUPS = {
    GroupBy.EQUIPMENT: "id",
    GroupBy.EQUIPMENT_TYPE: "equipment_type_id",
    GroupBy.PRODUCTION_LINE: "production_line_id",
    GroupBy.SITE: "site_id",
    GroupBy.ORGANISATION: "site__organisation_id",
}
GROUP_MODELS: dict[str, Any] = {
    GroupBy.EQUIPMENT: Equipment,
    GroupBy.EQUIPMENT_TYPE: EquipmentType,
    GroupBy.PRODUCTION_LINE: ProductionLine,
    GroupBy.SITE: Site,
    GroupBy.ORGANISATION: Organisation,
}

DEFINITIONS = {
    "required_hours": _("Required time: the length of the period, for each equipment in the scope."),
    "downtime_hours": _(
        "Downtime: the union of the downtime intervals inside the period, by cause; overlapping intervals "
        "count once, for the one that began first; an interval still open runs to the end of the period or to now."
    ),
    "operating_hours": _("Operating time = required time − downtime."),
    "failures": _(
        "Number of failures: corrective work orders, not cancelled, created in the period, with a failure mode "
        "coded or a downtime caused by a failure (EN 13306); other corrective work is not a failure."
    ),
    "mtbf": _("MTBF = operating time ÷ number of failures."),
    "mttr": _(
        "MTTR = sum of the times to restoration (downtime caused by a failure) ÷ number of failures; "
        "preventive work is not repair time."
    ),
    "availability": _("Availability (intrinsic) = MTBF ÷ (MTBF + MTTR); 100 % when there was no failure."),
    "maintenance_availability": _(
        "Maintenance-related availability = operating time ÷ (operating time + downtime from preventive and "
        "corrective work); external causes are left out."
    ),
    "pc_ratio": _(
        "Preventive/corrective ratio = hours booked on preventive work orders ÷ hours booked on corrective ones."
    ),
    "backlog_hours": _(
        "Backlog = estimated hours of the work orders approved but not yet done (now, whatever the period)."
    ),
    "compliance": _(
        "Schedule compliance = preventive work orders due in the period (due date, the end of their tolerance, "
        "in the period; not cancelled) and done by their due date ÷ those due."
    ),
    "cost": _(
        "Cost = labour (hours booked in the period × %(rate)s per hour) + parts (quantity × unit cost, recorded "
        "in the period)."
    ),
    "oee": _(
        "OEE (TRS) = availability × performance × quality, from the production records of the period: running "
        "time ÷ planned time, units produced ÷ (nominal rate × running time), good units ÷ units produced."
    ),
}


@dataclasses.dataclass
class Figures:
    """The KPIs of one group (or of the whole scope); the derived figures are None when undefined."""

    key: int | None = None
    label: str = ""
    equipment: int = 0
    required_hours: float = 0.0
    downtime: dict[str, float] = dataclasses.field(default_factory=dict)
    failures: int = 0
    preventive_hours: float = 0.0
    corrective_hours: float = 0.0
    labour_hours: float = 0.0
    labour_cost: float = 0.0
    parts_cost: float = 0.0
    backlog_hours: float = 0.0
    backlog_orders: int = 0
    preventive_due: int = 0
    preventive_on_time: int = 0
    planned_hours: float = 0.0
    run_hours: float = 0.0
    nominal_output: float = 0.0
    output: int = 0
    rejects: int = 0

    @property
    def downtime_hours(self) -> float:
        return sum(self.downtime.values())

    @property
    def operating_hours(self) -> float:
        return self.required_hours - self.downtime_hours

    @property
    def repair_hours(self) -> float:
        return self.downtime.get(DowntimeCause.FAILURE, 0.0)

    @property
    def mtbf(self) -> float | None:
        return self.operating_hours / self.failures if self.failures else None

    @property
    def mttr(self) -> float | None:
        return self.repair_hours / self.failures if self.failures else None

    @property
    def availability(self) -> float | None:
        if self.mtbf is None or self.mttr is None:
            return 1.0 if self.required_hours else None
        return self.mtbf / (self.mtbf + self.mttr) if self.mtbf + self.mttr else None

    @property
    def maintenance_availability(self) -> float | None:
        maintenance = self.repair_hours + self.downtime.get(DowntimeCause.PREVENTIVE, 0.0)
        denominator = self.operating_hours + maintenance
        return self.operating_hours / denominator if denominator else None

    @property
    def pc_ratio(self) -> float | None:
        return self.preventive_hours / self.corrective_hours if self.corrective_hours else None

    @property
    def compliance(self) -> float | None:
        return self.preventive_on_time / self.preventive_due if self.preventive_due else None

    @property
    def cost(self) -> float:
        return self.labour_cost + self.parts_cost

    @property
    def oee_availability(self) -> float | None:
        return self.run_hours / self.planned_hours if self.planned_hours else None

    @property
    def performance(self) -> float | None:
        return self.output / self.nominal_output if self.nominal_output else None

    @property
    def quality(self) -> float | None:
        return (self.output - self.rejects) / self.output if self.output else None

    @property
    def oee(self) -> float | None:
        parts = (self.oee_availability, self.performance, self.quality)
        if any(part is None for part in parts):
            return None
        a, p, q = parts
        return a * p * q  # type: ignore[operator]

    def as_dict(self) -> dict[str, Any]:
        """Every figure, measured and derived, as the API returns it."""
        data = dataclasses.asdict(self)
        data["downtime"] = {cause.value: self.downtime.get(cause, 0.0) for cause in DowntimeCause}
        for name in DERIVED:
            data[name] = getattr(self, name)
        return data


DERIVED = (
    "downtime_hours",
    "operating_hours",
    "repair_hours",
    "mtbf",
    "mttr",
    "availability",
    "maintenance_availability",
    "pc_ratio",
    "compliance",
    "cost",
    "oee_availability",
    "performance",
    "quality",
    "oee",
)


def labour_rate() -> Decimal:
    return Decimal(str(settings.MAINTENIR_LABOUR_HOURLY_COST))


def kpis(
    equipment: QuerySet[Equipment],
    period: Period,
    group_by: GroupBy | str | None = None,
    now: datetime.datetime | None = None,
    direct: bool = False,
) -> list[Figures]:
    """The figures of each group of `equipment` (already restricted to what the user may see),
    or one Figures for all of it when `group_by` is None. A period of whole months reads the
    monthly figures, any other period (or `direct`) the rows themselves; both give the same figures."""
    now = now or timezone.now()
    lookup = GROUP_LOOKUPS[GroupBy(group_by)] if group_by else None
    rows: dict[Any, Figures] = {}
    for key, count in _grouped(equipment, "", lookup, n=Count("pk")):
        if count["n"]:
            rows[key] = Figures(key=key, equipment=count["n"], required_hours=count["n"] * period.hours)
    if not rows:
        return [] if group_by else [Figures()]

    members = scope_members(equipment, sum(figures.equipment for figures in rows.values()))

    def add(queryset: QuerySet[Any], prefix: str, **aggregates: Any) -> Iterator[tuple[Figures, dict[str, Any]]]:
        scoped = queryset.filter(**{f"{prefix}in": members})
        for key, values in _grouped(scoped, prefix, lookup, **aggregates):
            if key in rows:
                yield rows[key], values

    if not direct and monthly.whole_months(period):
        live = monthly.live_equipment(members, now)
        for figures, values in add(monthly.rows_of(period), "equipment__", **monthly.sums(live)):
            _fill(figures, values)
        for figures, values in add(WorkOrder.objects.filter(BACKLOG), "equipment__", **BACKLOG_SUMS):
            _set_backlog(figures, values)
        downtime = _downtime(IdList(live), period, now, lookup) if live else iter(())
    else:
        _measure(add, period)
        downtime = _downtime(members, period, now, lookup)
    for key, cause, hours in downtime:
        if key in rows:
            rows[key].downtime[cause] = rows[key].downtime.get(cause, 0.0) + hours
    if group_by:
        _label(rows, equipment, GroupBy(group_by))
    return list(rows.values())


BACKLOG = Q(status__in=BACKLOG_STATUSES)
BACKLOG_SUMS = {"hours": Sum("estimated_hours", filter=BACKLOG), "orders": Count("pk", filter=BACKLOG)}


def _set_backlog(figures: Figures, values: dict[str, Any]) -> None:
    figures.backlog_hours = float(values["hours"] or 0)
    figures.backlog_orders = values["orders"]


def _fill(figures: Figures, values: dict[str, Any]) -> None:
    """The figures summed from monthly rows (`monthly.sums`), but the downtime of the equipment
    whose downtime depends on the time."""
    for cause, column in monthly.DOWNTIME_COLUMNS.items():
        figures.downtime[cause] = (values[column] or 0.0) / HOUR
    figures.failures = values["failures"] or 0
    figures.labour_hours = float(values["labour_hours"] or 0)
    figures.labour_cost = float((values["labour_hours"] or 0) * labour_rate())
    figures.preventive_hours = float(values["preventive_hours"] or 0)
    figures.corrective_hours = float(values["corrective_hours"] or 0)
    figures.parts_cost = float(values["parts_cost"] or 0)
    figures.preventive_due = values["preventive_due"] or 0
    figures.preventive_on_time = values["preventive_on_time"] or 0
    figures.planned_hours = float(values["planned_hours"] or 0)
    figures.run_hours = float(values["run_hours"] or 0)
    figures.nominal_output = float(values["nominal_output"] or 0)
    figures.output = values["output"] or 0
    figures.rejects = values["rejects"] or 0


def _measure(add: Any, period: Period) -> None:
    """The figures of a period from the rows themselves, but downtime."""
    entries = TimeEntry.objects.filter(date__gte=period.first_day, date__lte=period.last_day)
    preventive = Q(work_order__work_type__in=PREVENTIVE_TYPES)
    for figures, values in add(
        entries,
        "work_order__equipment__",
        booked=Sum("hours"),
        preventive=Sum("hours", filter=preventive),
        corrective=Sum("hours", filter=Q(work_order__work_type=WorkOrderType.CORRECTIVE)),
    ):
        figures.labour_hours = float(values["booked"] or 0)
        figures.labour_cost = float((values["booked"] or 0) * labour_rate())
        figures.preventive_hours = float(values["preventive"] or 0)
        figures.corrective_hours = float(values["corrective"] or 0)
    parts = PartUsage.objects.filter(created__gte=period.start, created__lt=period.end)
    for figures, values in add(parts, "work_order__equipment__", cost=Sum(cost_expression())):
        figures.parts_cost = float(values["cost"] or 0)
    # Failures, backlog and schedule compliance in one pass over the scope's work orders.
    failed = failure_q(period)
    due = fell_due(period.first_day, period.last_day)
    on_time = due & done_on_time("completed_day")
    orders = WorkOrder.objects.filter(failed | BACKLOG | due).alias(completed_day=LocalDate("completed_at", period))
    for figures, values in add(
        orders,
        "equipment__",
        failed=Count("pk", filter=failed),
        due=Count("pk", filter=due),
        on_time=Count("pk", filter=on_time),
        **BACKLOG_SUMS,
    ):
        _set_backlog(figures, values)
        figures.failures = values["failed"]
        figures.preventive_due = values["due"]
        figures.preventive_on_time = values["on_time"]
    records = ProductionRecord.objects.filter(date__gte=period.first_day, date__lte=period.last_day)
    nominal = ExpressionWrapper(F("nominal_rate") * F("run_hours"), output_field=FloatField())
    for figures, values in add(
        records,
        "equipment__",
        planned=Sum("planned_hours"),
        run=Sum("run_hours"),
        nominal=Sum(nominal),
        made=Sum("output"),
        rejected=Sum("rejects"),
    ):
        figures.planned_hours = float(values["planned"] or 0)
        figures.run_hours = float(values["run"] or 0)
        figures.nominal_output = float(values["nominal"] or 0)
        figures.output = values["made"] or 0
        figures.rejects = values["rejected"] or 0


def combined(rows: list[Figures]) -> Figures:
    """The figures of the whole scope from those of its groups, which share out its equipment: every
    measured figure adds up (the derived ones follow)."""
    whole = Figures()
    for row in rows:
        for field in dataclasses.fields(Figures):
            if field.name in ("key", "label"):
                continue
            if field.name == "downtime":
                for cause, hours in row.downtime.items():
                    whole.downtime[cause] = whole.downtime.get(cause, 0.0) + hours
            else:
                setattr(whole, field.name, getattr(whole, field.name) + getattr(row, field.name))
    return whole


def totals(
    equipment: QuerySet[Equipment], period: Period, now: datetime.datetime | None = None, direct: bool = False
) -> Figures:
    return kpis(equipment, period, None, now, direct)[0]


def _grouped(
    queryset: QuerySet[Any], prefix: str, lookup: str | None, **aggregates: Any
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(group key, aggregate values) per group; one group keyed None without a breakdown."""
    if lookup is None:
        yield None, queryset.aggregate(**aggregates)
        return
    for row in queryset.order_by().values(key=F(prefix + lookup)).annotate(**aggregates):
        yield row.pop("key"), row


def _downtime(
    members: Any, period: Period, now: datetime.datetime, lookup: str | None
) -> Iterator[tuple[Any, str, float]]:
    """Hours of downtime per group and cause: the pieces of the intervals (`downtime_pieces`) cut to
    the period, an interval still open running to the period's end or to now."""
    start, end = period.start.timestamp(), min(period.end, max(now, period.start)).timestamp()
    intervals = Downtime.objects.filter(equipment__in=members, started_at__lt=period.end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=period.start)
    )
    pieces = (
        downtime_pieces(intervals, start, end)
        .annotate(key=F("equipment__" + lookup) if lookup else Value(0))
        .order_by()
        .values("key", "cause", "seconds")
    )
    sql, params = pieces.query.sql_with_params()
    with connection.cursor() as cursor:
        # Django cannot group by a window's result; the sum is taken around the compiled query.
        cursor.execute(
            f"SELECT key, cause, SUM(seconds) FROM ({sql}) intervals GROUP BY key, cause",  # noqa: S608
            params,
        )
        for key, cause, seconds in cursor.fetchall():
            yield (key if lookup else None), cause, (seconds or 0) / HOUR


def _label(rows: dict[Any, Figures], equipment: QuerySet[Equipment], group_by: GroupBy) -> None:
    names = names_of(GROUP_MODELS[group_by], equipment.values(GROUP_LOOKUPS[group_by]))
    for key, figures in rows.items():
        figures.label = names.get(key, str(_("(none)")))


# The fields each model's __str__ shows, read without building model instances: tens of thousands
# of equipment would take longer than their KPIs. Others (the translated coded lists) use __str__.
LABEL_FIELDS: dict[Any, tuple[str, ...]] = {
    Equipment: ("code", "name"),
    EquipmentType: ("name",),
    ProductionLine: ("name",),
    Site: ("name",),
    Organisation: ("name",),
}


def names_of(model: Any, keys: QuerySet[Any]) -> dict[Any, str]:
    """The names of the objects whose keys the (values) queryset gives; a subquery, as the keys
    of tens of thousands of equipment would pass the database's limit of query parameters."""
    found = model.objects.filter(pk__in=keys)
    if model not in LABEL_FIELDS:
        return {instance.pk: str(instance) for instance in found}
    return {pk: " — ".join(values) for pk, *values in found.values_list("pk", *LABEL_FIELDS[model])}


# --- Scopes --------------------------------------------------------------------------------------

SCOPE_ALL = "all"
# Where each kind of scope sits, as a lookup from an equipment.
SCOPE_LOOKUPS = {**GROUP_LOOKUPS, GroupBy.EQUIPMENT: "pk"}


def scope_equipment(user: Any, kind: str, pk: int | None) -> tuple[QuerySet[Equipment], str]:
    """The equipment of a scope that the user may see, and the scope's name; Http404 when the
    scope's object does not exist for the user (another client's site is not found)."""
    equipment = Equipment.objects.restrict(user)
    if kind != SCOPE_ALL and kind not in SCOPE_LOOKUPS:
        raise Http404
    if kind == SCOPE_ALL:
        return equipment, str(_("All equipment"))
    model = GROUP_MODELS[GroupBy(kind)]
    found = model.objects.restrict(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return equipment.filter(**{SCOPE_LOOKUPS[GroupBy(kind)]: pk}), str(found)


# --- Pareto and trend ----------------------------------------------------------------------------

PARETO_BARS = 8
PARETO_LOOKUPS = {
    ParetoBy.FAILURE_MODE: ("failure_mode", FailureMode),
    ParetoBy.FAILURE_CAUSE: ("failure_cause", FailureCause),
    ParetoBy.EQUIPMENT: ("equipment", Equipment),
}


@dataclasses.dataclass(frozen=True)
class ParetoBar:
    key: int | None  # the failure mode, cause or equipment; None for "not coded" and "others"
    label: str
    value: float
    share: float  # of the total
    cumulative: float  # share of this bar and the ones before it


def pareto(
    equipment: QuerySet[Equipment],
    period: Period,
    by: ParetoBy | str,
    limit: int = PARETO_BARS,
    direct: bool = False,
) -> list[ParetoBar]:
    """The failures of the period counted by failure mode, cause or equipment (or the cost by
    equipment), largest first; what lies beyond the first `limit` bars is one last bar."""
    by = ParetoBy(by)
    values: list[tuple[int | None, str, float]]
    if by == ParetoBy.COST:
        values = [(row.key, row.label, row.cost) for row in kpis(equipment, period, GroupBy.EQUIPMENT, direct=direct)]
    else:
        lookup, model = PARETO_LOOKUPS[by]
        scope = Q(equipment__in=equipment.values("pk"))
        if not direct and monthly.whole_months(period):
            failed = monthly.rows_of(period, MonthlyFailures).filter(scope).order_by()
            counts = failed.values_list(lookup).annotate(n=Sum("failures"))
        else:
            failed = failures(period).filter(scope).order_by()
            counts = failed.values_list(lookup).annotate(n=Count("pk"))
        names = names_of(model, failed.values(lookup))
        values = [(key, names.get(key, str(_("(not coded)"))), float(n)) for key, n in counts]
    values = sorted((item for item in values if item[2] > 0), key=lambda item: (-item[2], item[1]))
    if len(values) > limit:
        values = [*values[: limit - 1], (None, str(_("Others")), sum(item[2] for item in values[limit - 1 :]))]
    total = sum(item[2] for item in values)
    bars, running = [], 0.0
    for key, label, value in values:
        running += value
        bars.append(ParetoBar(key, label, value, value / total, running / total))
    return bars


def trend(
    equipment: QuerySet[Equipment], period: Period, now: datetime.datetime | None = None, direct: bool = False
) -> list[tuple[Period, Figures]]:
    """The figures of each month of the period; over whole months, from one grouped query of the
    monthly figures."""
    months = list(period.months())
    if direct or not monthly.whole_months(period):
        return [(month, totals(equipment, month, now, direct)) for month in months]
    now = now or timezone.now()
    count = equipment.count()
    if not count:
        return [(month, Figures()) for month in months]
    members = scope_members(equipment, count)
    backlog = WorkOrder.objects.filter(BACKLOG, equipment__in=members).aggregate(**BACKLOG_SUMS)
    live = monthly.live_equipment(members, now)
    rows = monthly.rows_of(period).filter(equipment__in=members).order_by().values("month")
    by_month = {row.pop("month"): row for row in rows.annotate(**monthly.sums(live))}
    result = []
    for month in months:
        figures = Figures(equipment=count, required_hours=count * month.hours)
        _set_backlog(figures, backlog)
        if month.first_day in by_month:
            _fill(figures, by_month[month.first_day])
        for _key, cause, hours in _downtime(IdList(live), month, now, None) if live else ():
            figures.downtime[cause] = figures.downtime.get(cause, 0.0) + hours
        result.append((month, figures))
    return result
