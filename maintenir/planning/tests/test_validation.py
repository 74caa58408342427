"""The independent validator: it accepts a valid plan, catches each kind of violation, and accepts
every plan either solver returns on random instances."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maintenir.planning.generate import generate
from maintenir.planning.greedy import greedy
from maintenir.planning.instance import Instance, Order, Plan, Site, Technician, Visit, travel_minutes
from maintenir.planning.optimiser import optimise
from maintenir.planning.validation import validate

HOME = (45.76, 4.84)
AWAY = Site(2, 45.82, 4.92)
TRAVEL = travel_minutes(HOME, (AWAY.latitude, AWAY.longitude))
INSTANCE = Instance(
    days=2,
    sites=(Site(1, *HOME), AWAY),
    technicians=(
        Technician(1, "Qualified", HOME, ((0, 480, 1020), (1, 1920, 2460)), {"hab:B1V": 0}),
        Technician(2, "Unqualified", HOME, ((0, 480, 1020),), {}),
    ),
    orders=(
        Order(1, 1, 60, requirements=frozenset({"hab:B1V"})),
        Order(2, AWAY.id, 60, release_minute=590),
    ),
)
FIRST = Visit(1, 1, 0, 480, 540, 0)
SECOND = Visit(2, 1, 0, 600, 660, TRAVEL, TRAVEL)


def test_a_valid_plan_passes() -> None:
    assert validate(INSTANCE, Plan((FIRST, SECOND))) == []


@pytest.mark.parametrize(
    ("visits", "unplaced", "problem"),
    [
        pytest.param(
            [replace(FIRST, technician_id=2), SECOND], {}, "technician 2 does not hold hab:B1V", id="qualification"
        ),
        pytest.param(
            [replace(FIRST, day=1, start_minute=1920, end_minute=1980), SECOND],
            {},
            "hab:B1V of technician 1 expired after day 0",
            id="expired",
        ),
        pytest.param(
            [replace(FIRST, start_minute=400, end_minute=460), SECOND], {}, "not within a working window", id="shift"
        ),
        pytest.param([FIRST, replace(SECOND, start_minute=530, end_minute=590)], {}, "overlaps", id="overlap"),
        pytest.param(
            [FIRST, replace(SECOND, start_minute=545, end_minute=605)], {}, "of travel do not fit", id="travel"
        ),
        pytest.param([replace(FIRST, end_minute=550), SECOND], {}, "lasts 70 min instead of 60", id="duration"),
        pytest.param(
            [FIRST, replace(FIRST, technician_id=1, start_minute=700, end_minute=760), SECOND],
            {},
            "planned more than once",
            id="twice",
        ),
        pytest.param(
            [FIRST, replace(SECOND, start_minute=560, end_minute=620)], {}, "before its release", id="release"
        ),
        pytest.param([FIRST, replace(SECOND, travel_minutes=0)], {}, "travel given as 0 min", id="travel-declared"),
        pytest.param([FIRST, replace(SECOND, start_minute=955, end_minute=1015)], {}, "not back home", id="return"),
        pytest.param([FIRST, SECOND], {1: "no time"}, "both planned and listed as unplaced", id="unplaced"),
        pytest.param(
            [FIRST, replace(SECOND, day=2, start_minute=2 * 1440 + 600, end_minute=2 * 1440 + 660)],
            {},
            "outside the period",
            id="period",
        ),
    ],
)
def test_each_kind_of_violation_is_caught(visits: list[Visit], unplaced: dict[int, str], problem: str) -> None:
    problems = validate(INSTANCE, Plan(tuple(visits), unplaced))
    assert any(problem in text for text in problems), problems


@settings(max_examples=8)
@given(
    orders=st.integers(1, 10),
    technicians=st.integers(1, 3),
    days=st.integers(1, 3),
    sites=st.integers(1, 4),
    seed=st.integers(0, 2**32),
)
def test_every_plan_of_either_solver_is_valid(orders: int, technicians: int, days: int, sites: int, seed: int) -> None:
    instance = generate(orders, technicians, days, sites, seed)
    ours, theirs = optimise(instance, time_limit_seconds=2), greedy(instance)
    assert validate(instance, ours) == []
    assert validate(instance, theirs) == []
    assert len(ours.visits) >= len(theirs.visits)
    for plan in (ours, theirs):
        assert {visit.order_id for visit in plan.visits} | set(plan.unplaced) == {order.id for order in instance.orders}
