"""The dispatch plan from the database and back: what goes into the instance, proposing, accepting and
discarding, and who may do it."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from maintenir.people.tests.factories import AbsenceFactory, HabilitationFactory, TechnicianFactory, habilitation_type
from maintenir.planning import services
from maintenir.planning.choices import DispatchPlanStatus, Solver
from maintenir.planning.models import DispatchPlan
from maintenir.planning.tests.factories import coming_monday
from maintenir.workorders.choices import Priority, WorkOrderStatus
from maintenir.workorders.models import WorkOrderRequirement
from maintenir.workorders.tests.factories import WorkOrderFactory

MONDAY = coming_monday()
# The Friday before, at noon: what is planned is ahead of it.
BEFORE = timezone.make_aware(datetime.datetime.combine(MONDAY - datetime.timedelta(days=3), datetime.time(12)))


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def crew(technician: Any, other_technician: Any, equipment_a: Any) -> dict[str, Any]:
    """Two technicians based near the site; only the first holds B1V."""
    site = equipment_a.site
    site.latitude, site.longitude = Decimal("45.750000"), Decimal("4.850000")
    site.save()
    near = {"home_latitude": Decimal("45.760000"), "home_longitude": Decimal("4.840000")}
    electrician = TechnicianFactory(user=technician, **near)
    mechanic = TechnicianFactory(user=other_technician, team=electrician.team, **near)
    HabilitationFactory(
        technician=electrician,
        habilitation_type=habilitation_type("B1V"),
        granted_on=MONDAY - datetime.timedelta(days=300),
        expires_on=MONDAY + datetime.timedelta(days=300),
    )
    return {"electrician": electrician, "mechanic": mechanic, "equipment": equipment_a}


def electrical_order(equipment: Any, **fields: Any) -> Any:
    order = WorkOrderFactory(equipment=equipment, estimated_hours=Decimal("2"), **fields)
    WorkOrderRequirement.objects.create(work_order=order, habilitation_type=habilitation_type("B1V"))
    return order


def test_shifts_are_working_hours_net_of_absences_and_planned_orders(crew: dict[str, Any], technician: Any) -> None:
    electrician = crew["electrician"]
    AbsenceFactory(technician=electrician, starts_at=at(MONDAY, 12), ends_at=at(MONDAY, 14))
    WorkOrderFactory(
        equipment=crew["equipment"],
        status=WorkOrderStatus.PLANNED,
        planned_start=at(MONDAY + datetime.timedelta(days=1), 9),
        estimated_hours=Decimal("1.5"),
        assignees=[technician],
    )
    built = services.snapshot(MONDAY, 2, now=BEFORE)
    shifts = built.instance.technician[technician.pk].shifts
    day = 1440
    assert shifts == (
        (0, 8 * 60, 12 * 60),
        (0, 14 * 60, 17 * 60),
        (1, day + 8 * 60, day + 9 * 60),
        (1, day + 10 * 60 + 30, day + 17 * 60),
    )


def test_weekends_and_public_holidays_are_not_worked(crew: dict[str, Any], technician: Any) -> None:
    christmas_week = datetime.date(2026, 12, 21)
    built = services.snapshot(christmas_week, 7, now=timezone.make_aware(datetime.datetime(2026, 12, 18, 12)))
    days = {day for day, _start, _end in built.instance.technician[technician.pk].shifts}
    assert days == {0, 1, 2, 3}  # Friday the 25th is Christmas; Saturday and Sunday are off


def test_an_expired_habilitation_is_not_a_qualification(crew: dict[str, Any], technician: Any) -> None:
    habilitation = crew["electrician"].habilitations.get()
    habilitation.expires_on = MONDAY + datetime.timedelta(days=1)
    habilitation.save()
    key = f"hab:{habilitation_type('B1V').pk}"
    assert services.snapshot(MONDAY, 5, now=BEFORE).instance.technician[technician.pk].qualifications[key] == 1
    habilitation.expires_on = MONDAY - datetime.timedelta(days=1)
    habilitation.save()
    assert key not in services.snapshot(MONDAY, 5, now=BEFORE).instance.technician[technician.pk].qualifications


def test_trainees_are_not_dispatched_alone(crew: dict[str, Any], other_technician: Any) -> None:
    crew["mechanic"].is_trainee = True
    crew["mechanic"].save()
    assert other_technician.pk not in services.snapshot(MONDAY, 1, now=BEFORE).instance.technician


@pytest.mark.parametrize("solver", list(Solver))
def test_the_plan_gives_electrical_work_to_the_habilitated_technician(
    solver: str, crew: dict[str, Any], manager: Any, technician: Any, other_technician: Any
) -> None:
    electrical = [electrical_order(crew["equipment"], due_date=MONDAY) for _ in range(2)]
    mechanical = WorkOrderFactory(equipment=crew["equipment"], estimated_hours=Decimal("1"))
    plan = services.propose_plan(manager, MONDAY, 2, solver=solver, time_limit_seconds=2, now=BEFORE)
    assert plan.status == DispatchPlanStatus.PROPOSED
    assert plan.figures["placed"] == 3
    by_order = {visit.work_order_id: visit for visit in plan.visits.all()}
    assert {by_order[order.pk].technician_id for order in electrical} == {technician.pk}
    assert by_order[mechanical.pk].technician_id in {technician.pk, other_technician.pk}
    for visit in by_order.values():
        assert visit.ends_at - visit.starts_at >= datetime.timedelta(hours=1)
        assert at(MONDAY, 8) <= visit.starts_at
        assert visit.ends_at <= at(MONDAY + datetime.timedelta(days=1), 17)


def test_what_cannot_be_placed_is_listed_with_the_habilitation_named(crew: dict[str, Any], manager: Any) -> None:
    crew["electrician"].habilitations.all().delete()
    order = electrical_order(crew["equipment"])
    nowhere = WorkOrderFactory(equipment__site__latitude=None, equipment__site__longitude=None)
    plan = services.propose_plan(manager, MONDAY, 1, time_limit_seconds=1, now=BEFORE)
    reasons = {row.work_order_id: row.reason for row in plan.unplaced.all()}
    assert "habilitation B1V" in reasons[order.pk]
    assert "hab:" not in reasons[order.pk]
    assert "no coordinates" in reasons[nowhere.pk]


def test_urgent_work_goes_first_when_time_is_short(crew: dict[str, Any], manager: Any, technician: Any) -> None:
    crew["mechanic"].delete()
    low = [
        WorkOrderFactory(equipment=crew["equipment"], estimated_hours=Decimal("4"), priority=Priority.LOW)
        for _ in range(2)
    ]
    urgent = WorkOrderFactory(equipment=crew["equipment"], estimated_hours=Decimal("4"), priority=Priority.URGENT)
    plan = services.propose_plan(manager, MONDAY, 1, time_limit_seconds=2, now=BEFORE)
    placed = set(plan.visits.values_list("work_order_id", flat=True))
    assert urgent.pk in placed
    assert len(placed & {order.pk for order in low}) == 1


def test_accepting_assigns_and_plans_every_order_at_once(crew: dict[str, Any], manager: Any, technician: Any) -> None:
    orders = [electrical_order(crew["equipment"]) for _ in range(2)]
    plan = services.propose_plan(manager, MONDAY, 1, time_limit_seconds=1, now=BEFORE)
    services.accept_plan(manager, plan)
    plan.refresh_from_db()
    assert plan.status == DispatchPlanStatus.ACCEPTED
    assert plan.decided_by == manager
    for order in orders:
        order.refresh_from_db()
        visit = plan.visits.get(work_order=order)
        assert order.status == WorkOrderStatus.PLANNED
        assert list(order.assignees.all()) == [technician]
        assert order.planned_start == visit.starts_at
    with pytest.raises(ValidationError, match="already been accepted or discarded"):
        services.accept_plan(manager, plan)


def test_an_order_changed_since_the_plan_stops_the_whole_acceptance(crew: dict[str, Any], manager: Any) -> None:
    first, second = (electrical_order(crew["equipment"]) for _ in range(2))
    plan = services.propose_plan(manager, MONDAY, 1, time_limit_seconds=1, now=BEFORE)
    crew["electrician"].habilitations.all().delete()
    with pytest.raises(ValidationError, match="cannot be planned as proposed"):
        services.accept_plan(manager, plan)
    plan.refresh_from_db()
    assert plan.status == DispatchPlanStatus.PROPOSED
    for order in (first, second):
        order.refresh_from_db()
        assert order.status == WorkOrderStatus.APPROVED
        assert not order.assignees.exists()


def test_only_managers_plan(crew: dict[str, Any], manager: Any, technician: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.propose_plan(technician, MONDAY, 1, now=BEFORE)
    plan = services.propose_plan(manager, MONDAY, 1, time_limit_seconds=1, now=BEFORE)
    for decide in (services.accept_plan, services.discard_plan):
        with pytest.raises(PermissionDenied):
            decide(technician, plan)
    assert DispatchPlan.objects.get().status == DispatchPlanStatus.PROPOSED


def test_the_week_calendar_and_the_day_of_a_technician(crew: dict[str, Any], manager: Any, technician: Any) -> None:
    order = electrical_order(crew["equipment"])
    AbsenceFactory(
        technician=crew["mechanic"],
        starts_at=at(MONDAY + datetime.timedelta(days=2), 8),
        ends_at=at(MONDAY + datetime.timedelta(days=3), 18),
    )
    services.accept_plan(manager, services.propose_plan(manager, MONDAY, 1, time_limit_seconds=1, now=BEFORE))
    rows = {row.technician.user_id: row for row in services.week_calendar(manager, MONDAY)}
    assert next(cell.orders for cell in rows[technician.pk].cells) == [order]
    assert [bool(cell.absences) for cell in rows[crew["mechanic"].user_id].cells] == [
        False, False, True, True, False, False, False
    ]  # fmt: skip
    assert services.my_day(technician, MONDAY) == [order]
    assert services.my_day(technician, MONDAY + datetime.timedelta(days=1)) == []


def test_the_plan_command_prints_the_plan_per_technician_and_what_is_left(
    crew: dict[str, Any], administrator: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    order = electrical_order(crew["equipment"])
    call_command("plan", "--from", MONDAY.isoformat(), "--days", "1", "--time-limit", "1", "--accept")
    out = capsys.readouterr().out
    assert "1 placed" in out
    assert order.reference in out
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.PLANNED


def test_a_planned_order_without_a_time_shows_on_its_due_day(
    crew: dict[str, Any], manager: Any, technician: Any
) -> None:
    wednesday = MONDAY + datetime.timedelta(days=2)
    order = WorkOrderFactory(
        equipment=crew["equipment"], status=WorkOrderStatus.PLANNED, due_date=wednesday, assignees=[technician]
    )
    rows = {row.technician.user_id: row for row in services.week_calendar(manager, MONDAY)}
    assert [cell.orders for cell in rows[technician.pk].cells] == [[], [], [order], [], [], [], []]
    assert services.my_day(technician, wednesday) == [order]
    assert services.my_day(technician, MONDAY) == []


def test_the_dispatch_places_a_planned_order_without_a_time_with_its_technician(
    crew: dict[str, Any], manager: Any, technician: Any, other_technician: Any
) -> None:
    # The mechanic has it; the electrician is as near and as free, but the order stays with the mechanic.
    order = WorkOrderFactory(
        equipment=crew["equipment"],
        status=WorkOrderStatus.PLANNED,
        due_date=MONDAY,
        estimated_hours=Decimal("1"),
        assignees=[other_technician],
    )
    plan = services.propose_plan(manager, MONDAY, 1, solver=Solver.GREEDY, now=BEFORE)
    visit = plan.visits.get()
    assert (visit.work_order_id, visit.technician_id) == (order.pk, other_technician.pk)
    services.accept_plan(manager, plan)
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.PLANNED
    assert order.planned_start == visit.starts_at
    assert list(order.assignees.all()) == [other_technician]


def test_a_planned_order_whose_technician_cannot_go_is_listed_as_not_placed(
    crew: dict[str, Any], manager: Any, other_technician: Any
) -> None:
    AbsenceFactory(technician=crew["mechanic"], starts_at=at(MONDAY, 0), ends_at=at(MONDAY, 23))
    order = WorkOrderFactory(equipment=crew["equipment"], status=WorkOrderStatus.PLANNED, assignees=[other_technician])
    plan = services.propose_plan(manager, MONDAY, 1, solver=Solver.GREEDY, now=BEFORE)
    assert not plan.visits.exists()
    assert plan.unplaced.get().work_order == order


@pytest.mark.parametrize("change", ["planned by hand", "cancelled", "given to someone else"])
def test_a_stale_plan_is_refused_as_stale_and_recomputed(
    change: str, crew: dict[str, Any], manager: Any, technician: Any, other_technician: Any
) -> None:
    order = electrical_order(crew["equipment"], due_date=MONDAY)
    plan = services.propose_plan(manager, MONDAY, 1, solver=Solver.GREEDY, now=BEFORE)
    assert services.stale_orders(plan) == []
    if change == "cancelled":
        WorkOrderFactory._meta.model.objects.filter(pk=order.pk).update(status=WorkOrderStatus.CANCELLED)
    else:
        planned_start = None if change == "given to someone else" else at(MONDAY, 10)
        order.status, order.planned_start = WorkOrderStatus.PLANNED, planned_start
        order.save()
        order.assignees.set([other_technician if change == "given to someone else" else technician])
    assert services.stale_orders(plan) == [order]
    with pytest.raises(ValidationError) as refused:
        services.accept_plan(manager, plan)
    assert "This plan is out of date" in refused.value.messages[0]
    assert order.reference in refused.value.messages[0]
    plan.refresh_from_db()
    assert plan.status == DispatchPlanStatus.PROPOSED
    fresh = services.recompute_plan(manager, plan)
    plan.refresh_from_db()
    assert plan.status == DispatchPlanStatus.DISCARDED
    assert (fresh.status, fresh.start_date, fresh.days, fresh.solver) == (
        DispatchPlanStatus.PROPOSED,
        MONDAY,
        1,
        "greedy",
    )
    assert services.stale_orders(fresh) == []
