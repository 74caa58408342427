"""The baseline dispatcher the optimiser is measured against: earliest due date first (then the most
urgent), each order to the first qualified technician by id with room, appended to the end of that
technician's route in the earliest window where it fits, travel included."""

import math

from maintenir.planning.instance import Instance, Order, Plan
from maintenir.planning.routes import route, route_cost, unplaced_reasons, windows


def due_order(order: Order) -> tuple[float, int, int]:
    return (math.inf if order.due_minute is None else order.due_minute, order.priority, order.id)


def greedy(instance: Instance) -> Plan:
    all_windows = windows(instance)
    routes: list[list[Order]] = [[] for _ in all_windows]
    for order in sorted(instance.orders, key=due_order):
        for n, window in enumerate(all_windows):
            if not window.technician.qualified(order.requirements, window.day):
                continue
            if route_cost(instance, window, [*routes[n], order]) is not None:
                routes[n].append(order)
                break
    placed = tuple(
        visit
        for window, orders in zip(all_windows, routes, strict=True)
        for visit in route(instance, window, orders) or []
    )
    return Plan(placed, unplaced_reasons(instance, {visit.order_id for visit in placed}, all_windows))
