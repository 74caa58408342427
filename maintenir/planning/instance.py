"""A dispatch instance and its plans, free of the database, in minutes from the start of the horizon.

Time: minute 0 is midnight at the start of day 0; day d spans minutes [1440·d, 1440·(d+1)). Shifts,
visits, due dates, SLA deadlines and releases all use this one axis.

Working windows: a technician's shifts are already net of absences, so a day may hold several
windows (an absence in the middle of the day splits it). Each window is a tour: the technician
leaves home at or after its start, travels to the first visit, between visits, and is back home by
its end; travel is working time.

Travel: great-circle distance × ROAD_FACTOR at AVERAGE_SPEED_KMH, rounded up to whole minutes
(`travel_minutes`, the one function every part of the planner uses).

Qualifications: keys are opaque strings ("skill:12:2", "hab:B1V", "ccp:5"); the caller expands skill
levels into keys. A technician maps each key to the last day it is valid (None: no expiry); an order
needs every key of its requirements valid on the day of the visit.

Cost of a plan, the figure both solvers minimise:
- lateness: each minute a visit ends past the order's due minute costs the priority's weight
  (PRIORITY_WEIGHTS: urgent 8, high 4, normal 2, low 1 — each level doubles the next, so a minute
  of an urgent order weighs as much as a minute of eight low ones); each minute past the SLA deadline
  costs SLA_FACTOR (5) times that weight on top, because an SLA breach is a breach of contract;
- travel: one per minute driven, return legs included;
- unplaced: UNPLACED_COST plus UNPLACED_PRIORITY_COST × weight per order left out. The constant is
  above the lateness one order can accrue over a horizon of several days (8 × 6 × 7 200 = 345 600
  for five days), so placing an order is preferred to leaving it out; among orders left out, the
  least urgent go first.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

MINUTES_PER_DAY = 1440
EARTH_RADIUS_KM = 6371.0
ROAD_FACTOR = 1.3
AVERAGE_SPEED_KMH = 50.0

PRIORITY_WEIGHTS = {1: 8, 2: 4, 3: 2, 4: 1}
SLA_FACTOR = 5
UNPLACED_COST = 1_000_000
UNPLACED_PRIORITY_COST = 100_000

Point = tuple[float, float]


# Planning asks for the same few hundred pairs of points again and again.
@lru_cache(maxsize=1 << 16)
def travel_minutes(a: Point, b: Point) -> int:
    """Minutes to drive from a to b (latitude, longitude in degrees): great-circle distance × road
    factor at the average speed, rounded up."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
    # The rounding guards against 0.30000000000000004-style noise turning 12 minutes into 13.
    return math.ceil(round(km * ROAD_FACTOR / AVERAGE_SPEED_KMH * 60, 6))


def day_of(minute: int) -> int:
    return minute // MINUTES_PER_DAY


@dataclass(frozen=True)
class Site:
    id: int
    latitude: float
    longitude: float

    @property
    def point(self) -> Point:
        return (self.latitude, self.longitude)


@dataclass(frozen=True)
class Technician:
    id: int
    name: str
    home: Point
    # (day index, start minute, end minute), minutes from the start of the horizon.
    shifts: tuple[tuple[int, int, int], ...]
    # Qualification key → last day index it is valid, None for no expiry.
    qualifications: Mapping[str, int | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for day, start, end in self.shifts:
            if not day * MINUTES_PER_DAY <= start < end <= (day + 1) * MINUTES_PER_DAY:
                raise ValueError(f"technician {self.id}: shift {start}–{end} is not within day {day}")

    def qualified(self, requirements: frozenset[str], day: int) -> bool:
        for key in requirements:
            if key not in self.qualifications:
                return False
            last = self.qualifications[key]
            if last is not None and day > last:
                return False
        return True


@dataclass(frozen=True)
class Order:
    id: int
    site_id: int
    duration_minutes: int
    priority: int = 3  # 1 urgent, 2 high, 3 normal, 4 low
    due_minute: int | None = None
    sla_minute: int | None = None
    requirements: frozenset[str] = frozenset()
    release_minute: int = 0

    def __post_init__(self) -> None:
        if self.priority not in PRIORITY_WEIGHTS:
            raise ValueError(f"order {self.id}: priority {self.priority} is not one of 1 to 4")
        if self.duration_minutes <= 0:
            raise ValueError(f"order {self.id}: a duration of {self.duration_minutes} min")

    @property
    def weight(self) -> int:
        return PRIORITY_WEIGHTS[self.priority]

    @property
    def deadlines(self) -> list[tuple[int, int]]:
        """(minute, cost per minute late) of the due date and of the SLA deadline, those it has."""
        result = []
        if self.due_minute is not None:
            result.append((self.due_minute, self.weight))
        if self.sla_minute is not None:
            result.append((self.sla_minute, SLA_FACTOR * self.weight))
        return result

    def lateness_cost(self, end_minute: int) -> int:
        """The weighted lateness of a visit of this order ending at end_minute."""
        return sum(weight * max(0, end_minute - deadline) for deadline, weight in self.deadlines)

    @property
    def unplaced_cost(self) -> int:
        return UNPLACED_COST + UNPLACED_PRIORITY_COST * self.weight


@dataclass(frozen=True)
class Instance:
    days: int
    sites: tuple[Site, ...]
    technicians: tuple[Technician, ...]
    orders: tuple[Order, ...]

    @cached_property
    def site(self) -> dict[int, Site]:
        return {site.id: site for site in self.sites}

    @cached_property
    def order(self) -> dict[int, Order]:
        return {order.id: order for order in self.orders}

    @cached_property
    def technician(self) -> dict[int, Technician]:
        return {technician.id: technician for technician in self.technicians}

    def point(self, order: Order) -> Point:
        return self.site[order.site_id].point


@dataclass(frozen=True)
class Visit:
    order_id: int
    technician_id: int
    day: int
    start_minute: int
    end_minute: int
    # Travel to this visit, from home or from the previous visit of the same window.
    travel_minutes: int
    # Travel home after this visit when it is the last of its window, else 0.
    return_minutes: int = 0


@dataclass(frozen=True)
class Plan:
    visits: tuple[Visit, ...]
    # Order id → why it could not be placed.
    unplaced: Mapping[int, str] = field(default_factory=dict)


def evaluate(instance: Instance, plan: Plan) -> dict[str, int]:
    """The plan's figures: orders placed and unplaced, weighted lateness, travel minutes (return legs
    included) and the cost the solvers minimise."""
    lateness = sum(instance.order[visit.order_id].lateness_cost(visit.end_minute) for visit in plan.visits)
    travel = sum(visit.travel_minutes + visit.return_minutes for visit in plan.visits)
    placed = {visit.order_id for visit in plan.visits}
    unplaced = [order for order in instance.orders if order.id not in placed]
    return {
        "placed": len(placed),
        "unplaced": len(unplaced),
        "weighted_lateness": lateness,
        "travel_minutes": travel,
        "cost": lateness + travel + sum(order.unplaced_cost for order in unplaced),
    }
