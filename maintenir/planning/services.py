"""From the database to a dispatch instance and back: propose a plan for the open work orders, accept it
(every assignment written in one transaction, each checked again by the work orders' own rules) or
discard it."""

import datetime
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import check_permission
from maintenir.core.workdays import is_public_holiday
from maintenir.people.models import Technician
from maintenir.planning import instance as dispatch
from maintenir.planning.choices import DispatchPlanStatus, Solver
from maintenir.planning.greedy import greedy
from maintenir.planning.models import DispatchPlan, PlannedVisit, UnplacedOrder
from maintenir.planning.optimiser import optimise
from maintenir.planning.validation import validate
from maintenir.workorders import services as workorders
from maintenir.workorders.choices import OPEN_STATUSES, WorkOrderStatus
from maintenir.workorders.models import WorkOrder
from maintenir.workorders.qualifications import ccp_ids, name_of, profiles_of, requirements_of

# An order without an estimate is planned for an hour.
DEFAULT_DURATION_MINUTES = 60
# Orders the plan already holds: they take their technician's time but are not moved.
COMMITTED_STATUSES = (WorkOrderStatus.PLANNED, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.ON_HOLD)


@dataclass
class Horizon:
    """The planned days, and the conversions between aware datetimes and the planner's minutes."""

    start: datetime.date
    days: int

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(settings.TIME_ZONE)

    @property
    def origin(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time(), tzinfo=self.zone)

    def dates(self) -> list[datetime.date]:
        return [self.start + datetime.timedelta(days=offset) for offset in range(self.days)]

    def minute(self, moment: datetime.datetime) -> int:
        """Minutes since the start of the horizon, counted on the wall clock (a DST day has 1440 too)."""
        local = moment.astimezone(self.zone)
        return (local.date() - self.start).days * dispatch.MINUTES_PER_DAY + local.hour * 60 + local.minute

    def moment(self, minute: int) -> datetime.datetime:
        day, rest = divmod(minute, dispatch.MINUTES_PER_DAY)
        date = self.start + datetime.timedelta(days=day)
        return datetime.datetime.combine(date, datetime.time(rest // 60, rest % 60), tzinfo=self.zone)

    def day_index(self, day: datetime.date) -> int:
        return (day - self.start).days


def dispatchable_orders() -> QuerySet[WorkOrder]:
    """What the optimiser places: approved orders, and planned orders that have their technicians but no
    time yet (placed with one of them)."""
    return (
        WorkOrder.objects.filter(
            Q(status=WorkOrderStatus.APPROVED) | Q(status=WorkOrderStatus.PLANNED, planned_start__isnull=True)
        )
        .select_related("site")
        .prefetch_related("assignees")
    )


def _without_time(order: WorkOrder) -> bool:
    return order.status == WorkOrderStatus.PLANNED and order.planned_start is None


def _assignment_key(order: WorkOrder) -> str:
    """A qualification only the order's assignees hold, so a planned order stays with them."""
    return f"order:{order.pk}"


def dispatchable_technicians() -> QuerySet[Technician]:
    """Qualified technicians go out alone; trainees are added by hand beside their tutor."""
    return Technician.objects.filter(user__is_active=True, is_trainee=False).select_related("user")


def _subtract(windows: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    kept: list[tuple[int, int]] = []
    for low, high in windows:
        if end <= low or high <= start:
            kept.append((low, high))
            continue
        if low < start:
            kept.append((low, start))
        if end < high:
            kept.append((end, high))
    return kept


def _shifts(
    technician: Technician, horizon: Horizon, busy: Iterable[tuple[int, int]]
) -> tuple[tuple[int, int, int], ...]:
    """The technician's working windows in the horizon, net of absences and committed orders."""
    windows: list[tuple[int, int]] = []
    for day in horizon.dates():
        if not technician.works_on(day) or is_public_holiday(day):
            continue
        base = horizon.day_index(day) * dispatch.MINUTES_PER_DAY
        start = technician.work_start.hour * 60 + technician.work_start.minute
        end = technician.work_end.hour * 60 + technician.work_end.minute
        windows.append((base + start, base + end))
    for start, end in busy:
        windows = _subtract(windows, start, end)
    return tuple((low // dispatch.MINUTES_PER_DAY, low, high) for low, high in windows if high > low)


def _busy_times(technicians: list[Technician], horizon: Horizon) -> dict[int, list[tuple[int, int]]]:
    """Per technician's account, the minutes taken by absences and by orders already planned for them."""
    first, last = horizon.origin, horizon.moment(horizon.days * dispatch.MINUTES_PER_DAY)
    busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    dispatched = {technician.user_id for technician in technicians}
    for technician in technicians:
        for absence in technician.absences.all():
            if absence.ends_at > first and absence.starts_at < last:
                busy[technician.user_id].append((horizon.minute(absence.starts_at), horizon.minute(absence.ends_at)))
    committed = WorkOrder.objects.filter(
        status__in=COMMITTED_STATUSES, planned_start__gte=first, planned_start__lt=last
    ).prefetch_related("assignees")
    for order in committed:
        start = horizon.minute(order.planned_start)  # type: ignore[arg-type]
        for person in order.assignees.all():
            if person.pk in dispatched:
                busy[person.pk].append((start, start + duration_minutes(order)))
    return busy


def duration_minutes(order: WorkOrder) -> int:
    if order.estimated_hours is None or order.estimated_hours <= 0:
        return DEFAULT_DURATION_MINUTES
    return math.ceil(order.estimated_hours * 60)


def _sla_minute(order: WorkOrder, horizon: Horizon) -> int | None:
    hours = settings.MAINTENIR_SLA_RESOLUTION_HOURS.get(order.priority)
    if hours is None:
        return None
    return horizon.minute(order.created + datetime.timedelta(hours=hours))


@dataclass
class Snapshot:
    """An instance built from the database, with what is needed to read its plan back."""

    horizon: Horizon
    instance: dispatch.Instance
    orders: dict[int, WorkOrder]
    users: dict[int, User]
    # The name people read for each qualification key.
    labels: dict[str, str]
    # Orders that cannot go to the solver at all, with the reason.
    excluded: dict[int, str]


def snapshot(start: datetime.date, days: int, now: datetime.datetime | None = None) -> Snapshot:
    horizon = Horizon(start, days)
    release = max(0, horizon.minute(now or timezone.now()))
    orders = list(dispatchable_orders())
    needs_by_order = requirements_of(orders)
    labels = {need.key: need.label for order_needs in needs_by_order.values() for need in order_needs}
    assigned: dict[int, set[str]] = defaultdict(set)
    for order in orders:
        if _without_time(order):
            people = list(order.assignees.all())
            labels[_assignment_key(order)] = _("assignee of %(order)s (%(people)s)") % {
                "order": order.reference,
                "people": ", ".join(name_of(person) for person in people),
            }
            for person in people:
                assigned[person.pk].add(_assignment_key(order))
    technicians = list(dispatchable_technicians().prefetch_related("absences"))
    all_needs = [need for order_needs in needs_by_order.values() for need in order_needs]
    profiles = profiles_of([technician.user for technician in technicians], ccp_ids(all_needs))
    busy = _busy_times(technicians, horizon)
    excluded: dict[int, str] = {}
    sites: dict[int, dispatch.Site] = {}
    solver_orders: list[dispatch.Order] = []
    for order in orders:
        if order.site.latitude is None or order.site.longitude is None:
            excluded[order.pk] = _("Site %(site)s has no coordinates.") % {"site": order.site}
            continue
        sites[order.site_id] = dispatch.Site(order.site_id, float(order.site.latitude), float(order.site.longitude))
        due = None if order.due_date is None else (horizon.day_index(order.due_date) + 1) * dispatch.MINUTES_PER_DAY
        solver_orders.append(
            dispatch.Order(
                id=order.pk,
                site_id=order.site_id,
                duration_minutes=duration_minutes(order),
                priority=order.priority,
                due_minute=due,
                sla_minute=_sla_minute(order, horizon),
                requirements=frozenset(
                    [need.key for need in needs_by_order.get(order.pk, [])]
                    + ([_assignment_key(order)] if _without_time(order) else [])
                ),
                release_minute=release,
            )
        )
    solver_technicians = []
    for technician in technicians:
        if technician.home_latitude is None or technician.home_longitude is None:
            continue
        keys = profiles[technician.user_id].qualification_keys(on=start)
        valid = {
            key: None if last is None else horizon.day_index(last)
            for key, last in keys.items()
            if last is None or last >= start
        }
        valid.update(dict.fromkeys(assigned[technician.user_id]))
        solver_technicians.append(
            dispatch.Technician(
                id=technician.user_id,
                name=str(technician),
                home=(float(technician.home_latitude), float(technician.home_longitude)),
                shifts=_shifts(technician, horizon, busy.get(technician.user_id, ())),
                qualifications=valid,
            )
        )
    return Snapshot(
        horizon=horizon,
        instance=dispatch.Instance(days, tuple(sites.values()), tuple(solver_technicians), tuple(solver_orders)),
        orders={order.pk: order for order in orders},
        users={technician.user_id: technician.user for technician in technicians},
        labels=labels,
        excluded=excluded,
    )


def _require_planner(user: User) -> None:
    if not user.is_manager:
        raise PermissionDenied(_("Only a maintenance manager may plan the dispatch."))


def _named(reason: str, labels: Mapping[str, str]) -> str:
    """The solver names qualifications by key; people read their names."""
    for key in sorted(labels, key=len, reverse=True):
        reason = reason.replace(key, labels[key])
    return reason


@transaction.atomic
def propose_plan(
    user: User,
    start: datetime.date,
    days: int,
    solver: str = Solver.OPTIMISER,
    time_limit_seconds: float = 30,
    now: datetime.datetime | None = None,
) -> DispatchPlan:
    """Solve the dispatch of the approved orders over `days` days from `start` and keep it as a proposal."""
    _require_planner(user)
    if days < 1:
        raise ValidationError({"days": _("Plan at least one day.")})
    built = snapshot(start, days, now)
    began = time.perf_counter()
    if solver == Solver.GREEDY:
        plan = greedy(built.instance)
    else:
        plan = optimise(built.instance, time_limit_seconds=time_limit_seconds)
    elapsed = time.perf_counter() - began
    problems = validate(built.instance, plan)
    if problems:
        # The validator is independent of the solvers: a plan it refuses is a bug, never shown as valid.
        raise RuntimeError("The dispatch plan breaks its own rules: " + "; ".join(problems[:5]))
    record = DispatchPlan.objects.create(
        start_date=start,
        days=days,
        solver=solver,
        created_by=user,
        figures=dispatch.evaluate(built.instance, plan),
        solve_seconds=round(elapsed, 3),
    )
    PlannedVisit.objects.bulk_create(
        PlannedVisit(
            plan=record,
            work_order=built.orders[visit.order_id],
            technician=built.users[visit.technician_id],
            starts_at=built.horizon.moment(visit.start_minute),
            ends_at=built.horizon.moment(visit.end_minute),
            travel_minutes=visit.travel_minutes,
            return_minutes=visit.return_minutes,
            lateness_minutes=_late_by(built.instance.order[visit.order_id], visit.end_minute),
        )
        for visit in plan.visits
    )
    unplaced = {order_id: _named(reason, built.labels) for order_id, reason in plan.unplaced.items()}
    UnplacedOrder.objects.bulk_create(
        UnplacedOrder(plan=record, work_order=built.orders[order_id], reason=reason)
        for order_id, reason in {**built.excluded, **unplaced}.items()
    )
    return record


def _late_by(order: dispatch.Order, end_minute: int) -> int:
    """Minutes past the order's earliest deadline (due date or SLA)."""
    deadlines = [minute for minute, _weight in order.deadlines]
    return max(0, end_minute - min(deadlines)) if deadlines else 0


def _decide(user: User, plan: DispatchPlan, status: str) -> DispatchPlan:
    _require_planner(user)
    check_permission(user, Action.CHANGE, plan)
    updated = DispatchPlan.objects.filter(pk=plan.pk, status=DispatchPlanStatus.PROPOSED).update(
        status=status, decided_by=user, decided_at=timezone.now()
    )
    if not updated:
        raise ValidationError({"status": _("This plan has already been accepted or discarded.")})
    plan.refresh_from_db()
    return plan


def stale_orders(plan: DispatchPlan) -> list[WorkOrder]:
    """The plan's orders that are no longer as it found them: planned, started or cancelled since, or
    assigned to someone else than the technician it gives them to."""
    visits = list(plan.visits.select_related("work_order"))
    placeable = {order.pk: order for order in dispatchable_orders().filter(pk__in=[v.work_order_id for v in visits])}
    stale = []
    for visit in visits:
        order = placeable.get(visit.work_order_id)
        if order is None or (
            _without_time(order) and visit.technician_id not in {person.pk for person in order.assignees.all()}
        ):
            stale.append(visit.work_order)
    return stale


@transaction.atomic
def accept_plan(user: User, plan: DispatchPlan) -> DispatchPlan:
    """Write every visit as the order's assignee and planned start, all or nothing.

    An order changed since the plan was made makes the plan stale: nothing is written, and the manager
    recomputes it. Each order then goes through the work orders' own rules, which check again that the
    technician may do it.
    """
    plan = _decide(user, plan, DispatchPlanStatus.ACCEPTED)
    stale = stale_orders(plan)
    if stale:
        raise ValidationError(
            _(
                "This plan is out of date: %(orders)s changed since it was made (planned, started, cancelled or "
                "assigned). Recompute the plan to place the orders as they are now."
            )
            % {"orders": ", ".join(order.reference for order in stale)},
            code="stale",
        )
    for visit in plan.visits.select_related("work_order", "technician"):
        order = WorkOrder.objects.get(pk=visit.work_order_id)
        try:
            if _without_time(order):
                workorders.update_work_order(user, order, planned_start=visit.starts_at)
            else:
                workorders.plan_work_order(user, order, [visit.technician], planned_start=visit.starts_at)
        except ValidationError as error:
            raise ValidationError(
                _("%(order)s cannot be planned as proposed: %(reason)s")
                % {"order": order.reference, "reason": " ".join(error.messages)}
            ) from error
    return plan


@transaction.atomic
def discard_plan(user: User, plan: DispatchPlan) -> DispatchPlan:
    return _decide(user, plan, DispatchPlanStatus.DISCARDED)


@transaction.atomic
def recompute_plan(user: User, plan: DispatchPlan) -> DispatchPlan:
    """Discard a proposal and propose a new plan over the same days, from the orders as they are now."""
    discard_plan(user, plan)
    return propose_plan(user, plan.start_date, plan.days, solver=plan.solver)


@dataclass
class CalendarCell:
    orders: list[WorkOrder] = field(default_factory=list)
    absences: list[str] = field(default_factory=list)


@dataclass
class CalendarRow:
    technician: Technician
    # One cell per day of the week: the orders planned for the technician that day in order, and absences.
    cells: list[CalendarCell]
    on_call_rank: int | None


def week_calendar(user: User, monday: datetime.date, team_id: int | None = None) -> list[CalendarRow]:
    """Each technician's week: planned orders per day, absences and on-call duty."""
    horizon = Horizon(monday, 7)
    technicians = Technician.objects.restrict(user).select_related("user")
    if team_id is not None:
        technicians = technicians.filter(team_id=team_id)
    technicians = technicians.prefetch_related("absences", "on_call")
    rows = {
        technician.user_id: CalendarRow(
            technician,
            [CalendarCell() for _ in range(7)],
            next((duty.rank for duty in technician.on_call.all() if duty.week_start == monday), None),
        )
        for technician in technicians
    }
    orders = (
        WorkOrder.objects.restrict(user)
        .filter(_shown_in(horizon), assignees__in=rows)
        .exclude(status=WorkOrderStatus.CANCELLED)
        .select_related("site")
        .prefetch_related("assignees")
        .order_by(F("planned_start").asc(nulls_last=True), "priority", "pk")
        .distinct()
    )
    for order in orders:
        index = horizon.day_index(day_of(order))
        for person in order.assignees.all():
            if person.pk in rows:
                rows[person.pk].cells[index].orders.append(order)
    for row in rows.values():
        for absence in row.technician.absences.all():
            for index in range(7):
                if absence.starts_at < horizon.moment((index + 1) * dispatch.MINUTES_PER_DAY) and (
                    absence.ends_at > horizon.moment(index * dispatch.MINUTES_PER_DAY)
                ):
                    row.cells[index].absences.append(absence.get_reason_display())
    return list(rows.values())


def _shown_in(horizon: Horizon) -> Q:
    """Orders planned in the horizon, or due in it with no time set (an order planned without a time
    shows on its due day)."""
    end = horizon.moment(horizon.days * dispatch.MINUTES_PER_DAY)
    return Q(planned_start__gte=horizon.origin, planned_start__lt=end) | Q(
        planned_start__isnull=True, status__in=OPEN_STATUSES, due_date__gte=horizon.start, due_date__lt=end.date()
    )


def day_of(order: WorkOrder) -> datetime.date:
    """The day an order shows on: its planned start's, else its due date."""
    if order.planned_start is not None:
        return timezone.localtime(order.planned_start).date()
    assert order.due_date is not None
    return order.due_date


def my_day(user: User, day: datetime.date) -> list[WorkOrder]:
    """The user's work on `day`, the one list of "My day" and the technician's home: their orders planned
    that day (in the order the plan visits them), then those due that day with no time set. Today it
    also holds what is carried over: work in progress or on hold, open work planned or due before, and
    open work with no date at all."""
    horizon = Horizon(day, 1)
    wanted = _shown_in(horizon)
    if day == timezone.localdate():
        carried_over = (
            Q(status__in=(WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.ON_HOLD))
            | Q(planned_start__lt=horizon.origin)
            | Q(planned_start__isnull=True, due_date__lt=day)
            # Work of theirs with no day at all is for today too, or it would show nowhere.
            | Q(planned_start__isnull=True, due_date__isnull=True)
        )
        wanted |= carried_over & Q(status__in=OPEN_STATUSES)
    return list(
        WorkOrder.objects.restrict(user)
        .filter(wanted, assignees=user)
        .exclude(status__in=(WorkOrderStatus.CANCELLED, WorkOrderStatus.CLOSED))
        .select_related("site", "equipment")
        .order_by(F("planned_start").asc(nulls_last=True), "priority", "due_date", "pk")
        .distinct()
    )
