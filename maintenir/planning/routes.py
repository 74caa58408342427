"""What both solvers share: the working windows, which windows may take an order, the timing of a
route through a window, and why an order could not be placed."""

from collections.abc import Sequence
from dataclasses import dataclass

from maintenir.planning.instance import Instance, Order, Technician, Visit, travel_minutes


@dataclass(frozen=True)
class Window:
    """One working window of a technician: a tour from home and back."""

    technician: Technician
    day: int
    start: int
    end: int


def windows(instance: Instance) -> list[Window]:
    """Every working window, by technician id then time."""
    return [
        Window(technician, day, start, end)
        for technician in sorted(instance.technicians, key=lambda t: t.id)
        for day, start, end in sorted(technician.shifts, key=lambda shift: shift[1])
        if day < instance.days and end > start
    ]


def fits_alone(instance: Instance, order: Order, window: Window) -> bool:
    """Whether the window could take the order as its only visit (qualifications, release, length)."""
    if not window.technician.qualified(order.requirements, window.day):
        return False
    travel = travel_minutes(window.technician.home, instance.point(order))
    start = max(window.start + travel, order.release_minute)
    return start + order.duration_minutes + travel <= window.end


def route(instance: Instance, window: Window, orders: Sequence[Order]) -> list[Visit] | None:
    """The visits of the orders in this sequence, each as early as possible (which, for a given
    sequence, is also the least late), or None when the route does not fit in the window."""
    visits: list[Visit] = []
    here = window.technician.home
    now = window.start
    for order in orders:
        there = instance.point(order)
        travel = travel_minutes(here, there)
        start = max(now + travel, order.release_minute)
        now = start + order.duration_minutes
        visits.append(Visit(order.id, window.technician.id, window.day, start, now, travel))
        here = there
    if not visits:
        return visits
    back = travel_minutes(here, window.technician.home)
    if now + back > window.end:
        return None
    last = visits[-1]
    visits[-1] = Visit(
        last.order_id, last.technician_id, last.day, last.start_minute, last.end_minute, last.travel_minutes, back
    )
    return visits


def route_cost(instance: Instance, visits: Sequence[Visit]) -> int:
    """Weighted lateness plus travel of a route's visits."""
    return sum(
        instance.order[visit.order_id].lateness_cost(visit.end_minute) + visit.travel_minutes + visit.return_minutes
        for visit in visits
    )


def why_unplaced(instance: Instance, order: Order, all_windows: Sequence[Window]) -> str:
    """The most specific reason an order could not be placed, naming the qualification keys."""
    keys = sorted(order.requirements)
    missing = [key for key in keys if not any(key in t.qualifications for t in instance.technicians)]
    if missing:
        return f"no technician holds {', '.join(missing)}"
    holders = {t.id for t in instance.technicians if all(key in t.qualifications for key in keys)}
    if not holders:
        return f"no technician holds all of {', '.join(keys)}"
    held = f" holding {', '.join(keys)}" if keys else ""
    after_release = [w for w in all_windows if w.technician.id in holders and w.end > order.release_minute]
    if not after_release:
        return f"no technician{held} works in the period after the order's release"
    valid = [w for w in after_release if w.technician.qualified(order.requirements, w.day)]
    if not valid:
        expired = sorted(
            {
                key
                for w in after_release
                for key in keys
                if (last := w.technician.qualifications[key]) is not None and w.day > last
            }
        )
        return f"{', '.join(expired)} expires before any working day of the technicians holding it"
    if not any(fits_alone(instance, order, w) for w in valid):
        return (
            f"no working window of a qualified technician is long enough for {order.duration_minutes} min plus travel"
        )
    return "no qualified technician has time before the end of the period"


def unplaced_reasons(instance: Instance, placed: set[int], all_windows: Sequence[Window]) -> dict[int, str]:
    return {order.id: why_unplaced(instance, order, all_windows) for order in instance.orders if order.id not in placed}
