"""What both solvers share: the working windows, which windows may take an order, the timing of a
route through a window, and why an order could not be placed."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

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


def _timing(instance: Instance, window: Window, orders: Sequence[Order]) -> tuple[list[int], list[int], int] | None:
    """Each visit's start and travel to it, and the travel home, with each visit as early as
    possible (which, for a given sequence, is also the least late); None when it does not fit."""
    starts: list[int] = []
    travels: list[int] = []
    here = window.technician.home
    now = window.start
    for order in orders:
        there = instance.point(order)
        travel = travel_minutes(here, there)
        start = max(now + travel, order.release_minute)
        now = start + order.duration_minutes
        starts.append(start)
        travels.append(travel)
        here = there
    back = travel_minutes(here, window.technician.home)
    if now + back > window.end:
        return None
    return starts, travels, back


def route(instance: Instance, window: Window, orders: Sequence[Order]) -> list[Visit] | None:
    """The visits of the orders in this sequence through the window, or None when they do not fit."""
    timing = _timing(instance, window, orders)
    if timing is None:
        return None
    starts, travels, back = timing
    last = len(orders) - 1
    return [
        Visit(
            order.id,
            window.technician.id,
            window.day,
            start,
            start + order.duration_minutes,
            travel,
            back if n == last else 0,
        )
        for n, (order, start, travel) in enumerate(zip(orders, starts, travels, strict=True))
    ]


def route_cost(instance: Instance, window: Window, orders: Sequence[Order]) -> int | None:
    """Weighted lateness plus travel of the orders in this sequence through the window, or None when
    they do not fit."""
    timing = _timing(instance, window, orders)
    if timing is None:
        return None
    starts, travels, back = timing
    if not orders:
        return 0
    lateness = sum(
        order.lateness_cost(start + order.duration_minutes) for order, start in zip(orders, starts, strict=True)
    )
    return lateness + sum(travels) + back


def why_unplaced(instance: Instance, order: Order, all_windows: Sequence[Window]) -> str:
    """The most specific reason an order could not be placed, as a sentence naming the qualification keys
    (the caller puts the qualifications' names in their place)."""
    keys = sorted(order.requirements)
    missing = [key for key in keys if not any(key in t.qualifications for t in instance.technicians)]
    if missing:
        return _("No technician holds %(keys)s.") % {"keys": ", ".join(missing)}
    holders = {t.id for t in instance.technicians if all(key in t.qualifications for key in keys)}
    if not holders:
        return _("No technician holds all of %(keys)s.") % {"keys": ", ".join(keys)}
    after_release = [w for w in all_windows if w.technician.id in holders and w.end > order.release_minute]
    if not after_release:
        return _("No qualified technician works in the period.")
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
        return _("%(keys)s expires before any working day of the technicians holding it.") % {
            "keys": ", ".join(expired)
        }
    if not any(fits_alone(instance, order, w) for w in valid):
        return _("No working window of a qualified technician is long enough for %(minutes)d min plus travel.") % {
            "minutes": order.duration_minutes
        }
    return _("No qualified technician has time left in the period.")


def unplaced_reasons(instance: Instance, placed: set[int], all_windows: Sequence[Window]) -> dict[int, str]:
    return {order.id: why_unplaced(instance, order, all_windows) for order in instance.orders if order.id not in placed}
