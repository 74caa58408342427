"""The dispatch optimiser: a cheapest-insertion start improved by OR-Tools CP-SAT over neighbourhoods.

One CP-SAT model of the whole period does not scale to 500 orders × 40 technicians × 5 days on two
cores: even without sequencing (one boolean per order and eligible window, travel bounded per site
visited) it ended its 21 s far above what the insertion below reaches in three. So CP-SAT works on
small exact models instead:

1. Start. Orders, the most pressing first (earliest due or SLA deadline, then priority), are each
   inserted where they add least weighted lateness plus travel, in any window that has room.
2. Large neighbourhood search. A few windows at a time — the same day's windows of technicians
   living close to each other, or one technician's windows on neighbouring days — are re-planned
   together with the unplaced orders they could take, by an exact CP-SAT model: each order in at
   most one window, a circuit through home and the chosen orders per window with travel on its arcs,
   start times respecting travel, release and the window; minimising travel, weighted lateness and
   the cost of the orders left out. The model is hinted with the current routes and its result is
   kept only when it costs less, so the plan only improves. Neighbourhoods are solved `workers` at a
   time on disjoint windows until the time limit.

The result is never worse than the greedy baseline: if greedy places more orders, or as many at a
lower cost, its plan is returned.
"""

import math
import random
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise, repeat

from ortools.sat.python import cp_model

from maintenir.planning.greedy import greedy
from maintenir.planning.instance import (
    MINUTES_PER_DAY,
    Instance,
    Order,
    Plan,
    Visit,
    evaluate,
    travel_minutes,
)
from maintenir.planning.routes import Window, fits_alone, route, route_cost, unplaced_reasons, windows

NEIGHBOURHOOD_WINDOWS = 3
NEIGHBOURHOOD_UNPLACED = 6
# A neighbourhood's model is small; a longer solve rarely beats trying another neighbourhood.
NEIGHBOURHOOD_SECONDS = 0.5
# Stop early after this many neighbourhoods per window in a row bring nothing (small instances).
STALL_PER_WINDOW = 2


@dataclass
class Search:
    instance: Instance
    windows: list[Window]
    routes: list[list[Order]]
    eligible: list[set[int]]  # per window, the ids of the orders it could take alone

    def cost(self, chosen: Sequence[int], routes: Sequence[list[Order]], candidates: Sequence[Order]) -> float:
        """Lateness and travel of these routes of the chosen windows, plus the cost of the candidates
        they leave out; infinite if a route does not fit."""
        placed = {order.id for orders in routes for order in orders}
        costs = [route_cost(self.instance, self.windows[n], orders) for n, orders in zip(chosen, routes, strict=True)]
        if None in costs:
            return math.inf
        return sum(cost or 0 for cost in costs) + sum(
            order.unplaced_cost for order in candidates if order.id not in placed
        )

    def unplaced(self) -> list[Order]:
        placed = {order.id for orders in self.routes for order in orders}
        return [order for order in self.instance.orders if order.id not in placed]


def optimise(instance: Instance, time_limit_seconds: float = 30, workers: int = 2) -> Plan:
    """The best plan found within the time limit (which the insertion start, a few seconds for
    1 000 orders, counts against), solving `workers` neighbourhoods at a time."""
    deadline = time.monotonic() + time_limit_seconds
    baseline = greedy(instance)
    all_windows = windows(instance)
    search = Search(
        instance,
        all_windows,
        [[] for _ in all_windows],
        [{order.id for order in instance.orders if fits_alone(instance, order, w)} for w in all_windows],
    )
    _insert(search, sorted(instance.orders, key=urgency))
    _improve(search, deadline, workers)
    visits: list[Visit] = []
    for window, orders in zip(all_windows, search.routes, strict=True):
        visits += route(instance, window, orders) or []
    plan = Plan(tuple(visits), unplaced_reasons(instance, {visit.order_id for visit in visits}, all_windows))
    ours, theirs = evaluate(instance, plan), evaluate(instance, baseline)
    if (theirs["placed"], -theirs["cost"]) > (ours["placed"], -ours["cost"]):
        return baseline
    return plan


def urgency(order: Order) -> tuple[float, int, int]:
    """Earliest deadline (due or SLA) first, then the most urgent."""
    deadlines = [minute for minute in (order.due_minute, order.sla_minute) if minute is not None]
    return (min(deadlines, default=math.inf), order.priority, order.id)


def _insert(search: Search, orders: list[Order]) -> None:
    """Insert each order where it adds least cost to some route with room for it, if any."""
    costs = [route_cost(search.instance, window, []) or 0 for window in search.windows]
    busy = [0 for _ in search.windows]
    for order in orders:
        best: tuple[int, int, list[Order]] | None = None
        for n, window in enumerate(search.windows):
            # Travel only adds to the durations: a window they overflow is full.
            if order.id not in search.eligible[n] or busy[n] + order.duration_minutes > window.end - window.start:
                continue
            for position in range(len(search.routes[n]) + 1):
                candidate = [*search.routes[n][:position], order, *search.routes[n][position:]]
                cost = route_cost(search.instance, window, candidate)
                if cost is not None and (best is None or cost - costs[n] < best[0]):
                    best = (cost - costs[n], n, candidate)
        if best is not None:
            added, n, candidate = best
            search.routes[n] = candidate
            costs[n] += added
            busy[n] += order.duration_minutes


def _improve(search: Search, deadline: float, workers: int) -> None:
    """Re-plan neighbourhoods until the deadline, or until they stop bringing anything."""
    rng = random.Random(0)  # noqa: S311 -- the choice of neighbourhoods, not a secret
    stalled = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while (left := deadline - time.monotonic()) > 0.05 and stalled < STALL_PER_WINDOW * len(search.windows):
            batch = _neighbourhoods(search, rng, workers)
            limit = min(NEIGHBOURHOOD_SECONDS, left)
            results = list(pool.map(_solve, repeat(search), *zip(*batch, strict=True), repeat(limit)))
            for (chosen, candidates), result in zip(batch, results, strict=True):
                if result is None:
                    stalled += 1
                    continue
                routes, optimal = result
                current = [search.routes[n] for n in chosen]
                if search.cost(chosen, routes, candidates) < search.cost(chosen, current, candidates):
                    for n, orders in zip(chosen, routes, strict=True):
                        search.routes[n] = orders
                    stalled = 0
                else:
                    stalled += 1
                if optimal and len(chosen) == len(search.windows):
                    return


def _neighbourhoods(search: Search, rng: random.Random, count: int) -> list[tuple[list[int], list[Order]]]:
    """Up to `count` neighbourhoods with no window and no unplaced order in common: windows and the
    unplaced orders (the most pressing first) that they could take."""
    taken: set[int] = set()
    unplaced = sorted(search.unplaced(), key=urgency)
    claimed: set[int] = set()
    result = []
    for _ in range(count):
        free = [n for n in range(len(search.windows)) if n not in taken]
        if not free:
            break
        seed = search.windows[rng.choice(free)]
        if rng.random() < 0.5:
            # The same day, technicians living close by: orders move between them.
            related = [n for n in free if search.windows[n].day == seed.day]
            related.sort(key=lambda n: travel_minutes(search.windows[n].technician.home, seed.technician.home))
        else:
            # One technician over neighbouring days: orders move earlier or later.
            related = [n for n in free if search.windows[n].technician.id == seed.technician.id]
            related.sort(key=lambda n: abs(search.windows[n].start - seed.start))
        chosen = sorted(related[:NEIGHBOURHOOD_WINDOWS])
        taken.update(chosen)
        candidates = [
            order
            for order in unplaced
            if order.id not in claimed and any(order.id in search.eligible[n] for n in chosen)
        ][:NEIGHBOURHOOD_UNPLACED]
        claimed.update(order.id for order in candidates)
        result.append((chosen, candidates))
    return result


def _solve(
    search: Search, chosen: Sequence[int], candidates: Sequence[Order], limit: float
) -> tuple[list[list[Order]], bool] | None:
    """The best routes of the chosen windows over their orders and the candidates, and whether
    CP-SAT proved them optimal; None when it found nothing within the limit."""
    instance = search.instance
    orders = [order for n in chosen for order in search.routes[n]] + list(candidates)
    if not orders:
        return [[] for _ in chosen], True
    model = cp_model.CpModel()
    horizon = instance.days * MINUTES_PER_DAY
    hint_window = {order.id: n for n in chosen for order in search.routes[n]}
    hint_visits = {
        visit.order_id: visit for n in chosen for visit in route(instance, search.windows[n], search.routes[n]) or []
    }
    starts = {}
    placed = {}
    for order in orders:
        starts[order.id] = model.new_int_var(order.release_minute, horizon, f"start{order.id}")
        placed[order.id] = model.new_bool_var(f"placed{order.id}")
        if order.id in hint_visits:
            model.add_hint(starts[order.id], hint_visits[order.id].start_minute)
        model.add_hint(placed[order.id], order.id in hint_window)
    assigned: dict[int, list[cp_model.IntVar]] = {order.id: [] for order in orders}
    objective: list[cp_model.LinearExprT] = []
    arcs_of: dict[int, list[tuple[int, int, cp_model.LiteralT]]] = {}
    members: dict[int, list[Order]] = {}
    for n in chosen:
        window = search.windows[n]
        here = [order for order in orders if order.id in search.eligible[n]]
        members[n] = here
        points = [window.technician.home, *(instance.point(order) for order in here)]
        hinted_nodes = [0] + [1 + here.index(order) for order in search.routes[n]] + [0]
        hinted_arcs = set(pairwise(hinted_nodes))
        arcs: list[tuple[int, int, cp_model.LiteralT]] = []
        empty = model.new_bool_var(f"empty{n}")
        arcs.append((0, 0, empty))
        model.add_hint(empty, not search.routes[n])
        for i, order in enumerate(here, start=1):
            visit = model.new_bool_var(f"w{n}o{order.id}")
            assigned[order.id].append(visit)
            arcs.append((i, i, visit.Not()))
            model.add_hint(visit, hint_window.get(order.id) == n)
        for i in range(len(points)):
            for j in range(len(points)):
                if i == j:
                    continue
                arc = model.new_bool_var(f"w{n}a{i}_{j}")
                arcs.append((i, j, arc))
                model.add_hint(arc, (i, j) in hinted_arcs)
                travel = travel_minutes(points[i], points[j])
                objective.append(travel * arc)
                if i == 0:
                    model.add(starts[here[j - 1].id] >= window.start + travel).only_enforce_if(arc)
                elif j == 0:
                    before = here[i - 1]
                    model.add(starts[before.id] + before.duration_minutes + travel <= window.end).only_enforce_if(arc)
                else:
                    before, after = here[i - 1], here[j - 1]
                    model.add(starts[after.id] >= starts[before.id] + before.duration_minutes + travel).only_enforce_if(
                        arc
                    )
        model.add_circuit(arcs)
        arcs_of[n] = arcs
    for order in orders:
        model.add(sum(assigned[order.id]) == placed[order.id])
        objective.append(order.unplaced_cost * (1 - placed[order.id]))
        end = starts[order.id] + order.duration_minutes
        for deadline, weight in order.deadlines:
            late = model.new_int_var(0, max(0, horizon - deadline), f"late{order.id}_{deadline}")
            model.add(late >= end - deadline).only_enforce_if(placed[order.id])
            objective.append(weight * late)
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    routes = []
    for n in chosen:
        nexts = {i: j for i, j, arc in arcs_of[n] if i != j and solver.boolean_value(arc)}
        visited: list[Order] = []
        node = nexts.get(0, 0)
        while node != 0:
            visited.append(members[n][node - 1])
            node = nexts[node]
        routes.append(visited)
    return routes, status == cp_model.OPTIMAL
