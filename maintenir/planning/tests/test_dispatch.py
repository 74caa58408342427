"""Small hand-made dispatch cases, solved by both the optimiser and the greedy baseline."""

from collections.abc import Callable, Sequence

import pytest

from maintenir.planning.greedy import greedy
from maintenir.planning.instance import Instance, Order, Plan, Site, Technician, evaluate, travel_minutes
from maintenir.planning.optimiser import optimise
from maintenir.planning.validation import validate

DAY = 1440
HOME = (45.76, 4.84)
HERE = Site(1, 45.76, 4.84)
AWAY = Site(2, 45.82, 4.92)  # about 9 km from HOME


def shift(day: int, start_hour: int = 8, end_hour: int = 17) -> tuple[int, int, int]:
    return (day, day * DAY + start_hour * 60, day * DAY + end_hour * 60)


def technician(
    id: int,
    qualifications: dict[str, int | None] | None = None,
    shifts: Sequence[tuple[int, int, int]] = (shift(0),),
) -> Technician:
    return Technician(id, f"T{id}", HOME, tuple(shifts), qualifications or {})


def instance(orders: Sequence[Order], technicians: Sequence[Technician], days: int = 1) -> Instance:
    return Instance(days, (HERE, AWAY), tuple(technicians), tuple(orders))


def quick_optimise(i: Instance) -> Plan:
    return optimise(i, time_limit_seconds=2)


SOLVERS = [pytest.param(quick_optimise, id="optimise"), pytest.param(greedy, id="greedy")]
Solver = Callable[[Instance], Plan]


def solve(solver: Solver, i: Instance) -> Plan:
    plan = solver(i)
    assert validate(i, plan) == []
    return plan


def test_travel_is_the_great_circle_distance_by_road_at_average_speed() -> None:
    # One degree of latitude is 111.19 km: × 1.3 by road at 50 km/h is 173.5 minutes, rounded up.
    assert travel_minutes((45.0, 4.0), (46.0, 4.0)) == 174
    assert travel_minutes(HOME, HOME) == 0


def test_lateness_is_weighted_by_priority_and_sla_deadlines_weigh_five_times_more() -> None:
    order = Order(1, HERE.id, 60, priority=1, due_minute=100, sla_minute=105)
    assert order.lateness_cost(100) == 0
    assert order.lateness_cost(110) == 8 * 10 + 5 * 8 * 5
    assert Order(2, HERE.id, 60, priority=4, due_minute=100).lateness_cost(110) == 10


@pytest.mark.parametrize("solver", SOLVERS)
def test_only_a_qualified_technician_gets_the_order(solver: Solver) -> None:
    i = instance(
        [Order(1, HERE.id, 60, requirements=frozenset({"hab:B1V", "skill:3:2"}))],
        [technician(1, {"skill:3:2": None}), technician(2, {"skill:3:2": None, "hab:B1V": None})],
    )
    [visit] = solve(solver, i).visits
    assert visit.technician_id == 2


@pytest.mark.parametrize("solver", SOLVERS)
def test_an_expired_habilitation_excludes_the_technician_after_its_last_day(solver: Solver) -> None:
    order = Order(1, HERE.id, 60, requirements=frozenset({"hab:B1V"}), release_minute=DAY)
    lapsing = technician(1, {"hab:B1V": 0}, [shift(0), shift(1)])
    valid = technician(2, {"hab:B1V": None}, [shift(1)])
    [visit] = solve(solver, instance([order], [lapsing, valid], days=2)).visits
    assert (visit.technician_id, visit.day) == (2, 1)
    plan = solve(solver, instance([order], [lapsing], days=2))
    assert plan.visits == ()
    assert plan.unplaced == {1: "hab:B1V expires before any working day of the technicians holding it."}


@pytest.mark.parametrize("solver", SOLVERS)
def test_absences_are_respected(solver: Solver) -> None:
    # Absent all day 0, and from 10:00 to 12:00 on day 1: three hours only fit in the afternoon.
    i = instance([Order(1, HERE.id, 180)], [technician(1, shifts=[shift(1, 8, 10), shift(1, 12, 17)])], days=2)
    [visit] = solve(solver, i).visits
    assert visit.day == 1
    assert visit.start_minute >= DAY + 12 * 60


@pytest.mark.parametrize("solver", SOLVERS)
def test_travel_is_accounted(solver: Solver) -> None:
    there = travel_minutes(HOME, (AWAY.latitude, AWAY.longitude))
    i = instance([Order(1, HERE.id, 60, due_minute=9 * 60), Order(2, AWAY.id, 60)], [technician(1)])
    first, second = sorted(solve(solver, i).visits, key=lambda visit: visit.start_minute)
    assert (first.order_id, first.start_minute, first.travel_minutes, first.return_minutes) == (1, 8 * 60, 0, 0)
    assert second.travel_minutes == there
    assert second.start_minute >= first.end_minute + there
    assert second.return_minutes == there
    assert evaluate(i, solver(i))["travel_minutes"] == 2 * there


@pytest.mark.parametrize("solver", SOLVERS)
def test_an_order_nobody_is_qualified_for_is_unplaced_with_the_missing_key(solver: Solver) -> None:
    i = instance(
        [Order(1, HERE.id, 60, requirements=frozenset({"ccp:5", "skill:1:1"}))], [technician(1, {"skill:1:1": None})]
    )
    plan = solve(solver, i)
    assert plan.visits == ()
    assert plan.unplaced == {1: "No technician holds ccp:5."}


@pytest.mark.parametrize("solver", SOLVERS)
def test_an_order_too_long_for_any_window_says_so(solver: Solver) -> None:
    plan = solve(solver, instance([Order(1, HERE.id, 600)], [technician(1)]))
    assert plan.unplaced == {1: "No working window of a qualified technician is long enough for 600 min plus travel."}


@pytest.mark.parametrize("solver", SOLVERS)
def test_the_urgent_order_is_placed_when_capacity_is_short(solver: Solver) -> None:
    i = instance(
        [Order(1, HERE.id, 180, priority=4, due_minute=DAY), Order(2, HERE.id, 180, priority=1, due_minute=DAY)],
        [technician(1, shifts=[shift(0, 8, 12)])],
    )
    plan = solve(solver, i)
    assert [visit.order_id for visit in plan.visits] == [2]
    assert plan.unplaced == {1: "No qualified technician has time left in the period."}


def test_the_optimiser_lowers_lateness_where_greedy_does_not() -> None:
    # Greedy takes the earliest due date first; the optimiser sees that the urgent order's minutes
    # weigh eight times the low one's.
    i = instance(
        [
            Order(1, HERE.id, 120, priority=4, due_minute=10 * 60),
            Order(2, HERE.id, 120, priority=1, due_minute=10 * 60 + 30),
        ],
        [technician(1)],
    )
    assert evaluate(i, solve(quick_optimise, i))["weighted_lateness"] < evaluate(i, greedy(i))["weighted_lateness"]


def test_malformed_input_is_refused() -> None:
    with pytest.raises(ValueError, match="priority 5"):
        Order(1, HERE.id, 60, priority=5)
    with pytest.raises(ValueError, match="not within day 1"):
        technician(1, shifts=[(1, 8 * 60, 17 * 60)])
