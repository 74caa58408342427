"""The baseline dispatcher the optimiser is measured against: earliest due date first (then the most
urgent), each order to the first qualified technician by id with room, appended to the end of that
technician's route in the earliest window where it fits, travel included."""

import math

from maintenir.planning.instance import Instance, Order, Plan, Visit
from maintenir.planning.routes import route, unplaced_reasons, windows


def due_order(order: Order) -> tuple[float, int, int]:
    return (math.inf if order.due_minute is None else order.due_minute, order.priority, order.id)


def greedy(instance: Instance) -> Plan:
    all_windows = windows(instance)
    routes: list[list[Order]] = [[] for _ in all_windows]
    timed: list[list[Visit]] = [[] for _ in all_windows]
    for order in sorted(instance.orders, key=due_order):
        for n, window in enumerate(all_windows):
            if not window.technician.qualified(order.requirements, window.day):
                continue
            visits = route(instance, window, [*routes[n], order])
            if visits is not None:
                routes[n].append(order)
                timed[n] = visits
                break
    placed = tuple(visit for visits in timed for visit in visits)
    return Plan(placed, unplaced_reasons(instance, {visit.order_id for visit in placed}, all_windows))
