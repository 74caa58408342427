"""Dispatch: the CP-SAT optimiser against the greedy baseline on generated instances.

Run with `maintenir bench plan [--orders N] [--technicians M] [--json]`. One instance (seeded, so
every run plans the same one) of N orders (default 500) at SITES sites for M technicians (default
40) over DAYS weekdays, with mixed requirements (skill levels, habilitations some of which expire
during the period, CCPs), absences, due dates, priorities and a few SLA deadlines — see
`maintenir.planning.generate`. The optimiser has TIME_LIMIT seconds on two workers; the greedy
baseline (earliest due date, first qualified technician) plans the same instance in the same run.
Both plans go through the independent validator. For scale, the lateness floor is what the orders
would cost if each were done alone at its earliest; no plan placing every order is below it.
Target: the optimiser places at least as many orders and cuts weighted lateness + travel by at
least 20 %, with no violation in either plan.
"""

import time
from typing import Any

from maintenir.planning.generate import generate
from maintenir.planning.greedy import greedy
from maintenir.planning.instance import Instance, Plan, evaluate, travel_minutes
from maintenir.planning.optimiser import optimise
from maintenir.planning.routes import fits_alone, windows
from maintenir.planning.validation import validate

DAYS = 5
SITES = 30
SEED = 42
TIME_LIMIT = 30
WORKERS = 2


def lateness_floor(instance: Instance) -> int:
    """The sum over orders of the least lateness each could have as the only visit of a window."""
    all_windows = windows(instance)
    total = 0
    for order in instance.orders:
        ends = [
            max(w.start + travel_minutes(w.technician.home, instance.point(order)), order.release_minute)
            + order.duration_minutes
            for w in all_windows
            if fits_alone(instance, order, w)
        ]
        total += min((order.lateness_cost(end) for end in ends), default=0)
    return total


def _measure(instance: Instance, solve: Any) -> tuple[Plan, float]:
    started = time.perf_counter()
    plan = solve(instance)
    return plan, time.perf_counter() - started


def run(orders: int, technicians: int) -> dict[str, Any]:
    instance = generate(orders, technicians, DAYS, SITES, SEED)
    ours, our_seconds = _measure(instance, lambda i: optimise(i, TIME_LIMIT, WORKERS))
    theirs, their_seconds = _measure(instance, greedy)
    mine, base = evaluate(instance, ours), evaluate(instance, theirs)
    our_violations, their_violations = len(validate(instance, ours)), len(validate(instance, theirs))
    ours_total = mine["weighted_lateness"] + mine["travel_minutes"]
    theirs_total = base["weighted_lateness"] + base["travel_minutes"]
    cut = 100 * (1 - ours_total / theirs_total) if theirs_total else 0.0
    return {
        "orders": orders,
        "technicians": technicians,
        "days": DAYS,
        "sites": SITES,
        "time_limit_s": TIME_LIMIT,
        "optimiser_placed": mine["placed"],
        "greedy_placed": base["placed"],
        "placed_ratio": round(mine["placed"] / base["placed"], 3) if base["placed"] else None,
        "optimiser_weighted_lateness": mine["weighted_lateness"],
        "greedy_weighted_lateness": base["weighted_lateness"],
        "weighted_lateness_ratio": _ratio(mine["weighted_lateness"], base["weighted_lateness"]),
        "weighted_lateness_floor": lateness_floor(instance),
        "optimiser_travel_minutes": mine["travel_minutes"],
        "greedy_travel_minutes": base["travel_minutes"],
        "travel_ratio": _ratio(mine["travel_minutes"], base["travel_minutes"]),
        "lateness_plus_travel_cut_percent": round(cut, 1),
        "optimiser_s": round(our_seconds, 2),
        "greedy_s": round(their_seconds, 2),
        "optimiser_violations": our_violations,
        "greedy_violations": their_violations,
        "target_met": mine["placed"] >= base["placed"] and cut >= 20 and our_violations == their_violations == 0,
    }


def _ratio(ours: int, theirs: int) -> float | None:
    return round(ours / theirs, 3) if theirs else None
