"""The pages and the API at a large company's volume, against the same at a small one's.

Run with `maintenir bench scale [--orders N] [--readings R] [--samples S] [--clients C] [--seconds T]
[--database URL] [--json]`. The demo's company is grown (see `benchmarks.scale_data`) to a tenth of N orders
(at most SMALL_ORDERS) and a proportional number of readings, then served by gunicorn and timed over real HTTP
as the manager, a technician and a client use it; then grown to N orders and R readings and timed again in the
same way. Each route is asked WARM_UP times untimed, then S times one request after the other (fewer when they
take more than ROUTE_BUDGET seconds in all, never fewer than five); the figures are each route's p50 and p95 at
both sizes, the growth ratio p95(large) ÷ p95(small) and each figure against its target.

At the large size, C clients (one thread each, on kept-alive connections) ask for the API's list of work orders,
the work-order list page and the baseline for T seconds each: the baseline is a plain Django view that returns
the same 50 orders from the same restricted query as JSON (`benchmarks.scale_urls`). The ratio of the API's
requests per second to the baseline's says what the API's layers cost.
"""

import functools
import html
import os
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.db import connection, connections

from benchmarks import scale_data, scale_http
from maintenir.core.models import User
from maintenir.core.services import issue_token
from maintenir.demo.services import DEMO_PASSWORD

SMALL_ORDERS = 10_000
WARM_UP = 3
ROUTE_BUDGET = 20.0
USERS = {"manager": "manager", "technician": "tech", "client": "client-a"}
# Targets (p95, ms) on PostgreSQL at ten million orders, and on SQLite at one million; the growth ratio's.
TARGETS = {
    "postgresql": {"page": 150, "api": 100, "reliability": 500},
    "sqlite": {"page": 250, "api": 250, "reliability": 500},
}
RATIO_TARGET = 1.5
THROUGHPUT_TARGET = 0.5
SERVER_LOG = settings.DATA_DIR / "scale-server.log"


def routes(fleet: scale_data.Fleet, deep: str) -> list[tuple[str, str, str, str]]:
    """(name, who asks, path, kind of target) of every timed route."""
    order = fleet.order_ids[len(fleet.order_ids) // 2]
    site = fleet.equipment[0][1]
    word = scale_data.SEARCH_WORD
    return [
        ("order list", "manager", "/orders/", "page"),
        ("order list, all", "manager", "/orders/?listed=all", "page"),
        ("order list, status and site", "manager", f"/orders/?listed=all&status=closed&site={site}", "page"),
        ("order list, deep page", "manager", deep, "page"),
        ("order list, search", "manager", f"/orders/?listed=all&q={word}", "page"),
        ("search", "manager", f"/search/?q={word}", "page"),
        ("order detail", "manager", f"/orders/{order}/", "page"),
        ("equipment detail", "manager", f"/equipment/{fleet.equipment_with_points}/", "page"),
        ("request list", "manager", "/requests/", "page"),
        ("equipment list", "manager", "/equipment/", "page"),
        ("calendar", "manager", "/planning/calendar/", "page"),
        ("home, manager", "manager", "/", "page"),
        ("home, technician", "technician", "/", "page"),
        ("my day, technician", "technician", "/planning/my-day/", "page"),
        ("home, client", "client", "/", "page"),
        ("reliability, year, all", "manager", "/reliability/", "reliability"),
        ("reliability, one site", "manager", f"/reliability/site/{site}/", "reliability"),
        ("API work orders", "api", "/api/work-orders?limit=50", "api"),
        ("API work requests", "api", "/api/work-requests?limit=50", "api"),
        ("API equipment", "api", "/api/equipment?limit=50", "api"),
        ("API reliability KPIs", "api", "/api/reliability/kpis", "reliability"),
    ]


def deep_page(client: scale_http.Client) -> str:
    """The list's deep page: its cursor followed ten pages on where it offers one (a keyset page costs the same at
    any depth), else page 5 000 of all orders."""
    path = "/orders/?listed=all"
    for _ in range(10):
        _, page = client.get(path)
        marker = page.find(b"after=")
        if marker < 0:
            return "/orders/?listed=all&page=5000"
        start = page.rfind(b'"', 0, marker) + 1
        # The link is written relative to the list ("?listed=all&after=…"), as a browser would follow it.
        path = urljoin(path, html.unescape(page[start : page.find(b'"', marker)].decode()))
    return path


def measure(fleet: scale_data.Fleet, token: str, samples: int) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Each route's timing, served by gunicorn; also each route's path."""
    connections.close_all()
    with scale_http.server(SERVER_LOG) as port:
        clients = {"api": scale_http.Client(port, token)}
        for who, username in USERS.items():
            clients[who] = scale_http.Client(port)
            clients[who].log_in(username, DEMO_PASSWORD)
        timed, paths = {}, {}
        for name, who, path, _ in routes(fleet, deep_page(clients["manager"])):
            timing = scale_http.time_route(clients[who], path, samples, WARM_UP, ROUTE_BUDGET)
            timed[name], paths[name] = timing.figures(), path
    return timed, paths


def measure_throughput(token: str, clients: int, seconds: float) -> dict[str, Any]:
    connections.close_all()
    with scale_http.server(SERVER_LOG) as port:
        manager = scale_http.Client(port)
        manager.log_in(USERS["manager"], DEMO_PASSWORD)

        def users(token: str = "") -> list[scale_http.Client]:
            made = [scale_http.Client(port, token) for _ in range(clients)]
            for client in made:
                client.cookies = {} if token else dict(manager.cookies)
            return made

        figures = {
            "api_work_orders": scale_http.throughput(users(token), "/api/work-orders?limit=50", seconds),
            "order_list": scale_http.throughput(users(), "/orders/", seconds),
            "baseline": scale_http.throughput(users(), "/bench/baseline/", seconds),
        }
    baseline = figures["baseline"]["requests_per_second"] or 1
    for name in ("api_work_orders", "order_list"):
        ratio = figures[name]["requests_per_second"] / baseline
        figures[name]["ratio_to_baseline"] = round(ratio, 2)
        figures[name]["pass"] = ratio >= THROUGHPUT_TARGET
    return figures


def _timed(seconds: dict[str, float], name: str, work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = work()
    seconds[name] = round(time.perf_counter() - started, 1)
    return result


def run(orders: int, readings: int, samples: int, clients: int, seconds: int) -> dict[str, Any]:
    small = min(SMALL_ORDERS, max(1, orders // 10))
    load = os.getloadavg()[1]
    took: dict[str, float] = {}
    fleet = _timed(took, "fleet_seconds", scale_data.create_fleet)
    token = issue_token(User.objects.get(username=USERS["manager"]), "scale benchmark")
    sizes = {"small": (small, readings * small // orders), "large": (orders, readings)}
    timings: dict[str, dict[str, dict[str, Any]]] = {}
    refreshed: list[str] = []
    paths: dict[str, str] = {}
    for size, (size_orders, size_readings) in sizes.items():
        _timed(took, f"build_{size}_seconds", functools.partial(scale_data.grow, fleet, size_orders, size_readings))
        refreshed = _timed(took, f"analyse_{size}_seconds", scale_data.analyse)
        timings[size], paths = _timed(took, f"measure_{size}_seconds", lambda: measure(fleet, token, samples))
    targets = TARGETS[connection.vendor]
    table = {}
    for name, _, _, kind in routes(fleet, ""):
        little, large = timings["small"][name], timings["large"][name]
        ratio = large["p95_ms"] / little["p95_ms"] if little["p95_ms"] else None
        table[name] = {
            "path": paths[name],
            "small": little,
            "large": large,
            "ratio": round(ratio, 2) if ratio is not None else None,
            "target_ms": targets[kind],
            "pass": large["p95_ms"] < targets[kind] and ratio is not None and ratio <= RATIO_TARGET,
        }
    throughput = _timed(took, "throughput_seconds", lambda: measure_throughput(token, clients, seconds))
    return {
        "database": connection.vendor,
        "orders": orders,
        "small_orders": small,
        "readings": readings,
        "small_readings": sizes["small"][1],
        "samples": samples,
        "cores": os.cpu_count(),
        # Other work on the machine shows in the timings: the load average (5 minutes) before and after.
        "load_before": round(load, 1),
        "load_after": round(os.getloadavg()[1], 1),
        "refreshed": refreshed,
        **took,
        "routes": table,
        "throughput_clients": clients,
        "throughput": throughput,
        "passed": sum(row["pass"] for row in table.values()),
        "failed": sum(not row["pass"] for row in table.values()),
    }


def render(figures: dict[str, Any]) -> str:
    """The figures as a table for a person."""
    lines = [
        f"{figures['database']}: {figures['orders']:,} work orders and {figures['readings']:,} readings "
        f"against {figures['small_orders']:,} and {figures['small_readings']:,}; up to {figures['samples']} "
        f"samples a route; {figures['cores']} cores, load average {figures['load_before']} before and "
        f"{figures['load_after']} after",
        "Precomputed figures refreshed: " + (", ".join(figures["refreshed"]) or "none (none in this version)"),
        ", ".join(
            f"{key.removesuffix('_seconds').replace('_', ' ')} {value} s"
            for key, value in figures.items()
            if key.endswith("_seconds")
        ),
        "",
        f"{'route':<30} {'small p50':>9} {'p95':>8} {'large p50':>10} {'p95':>8} {'ratio':>6} {'target':>7}  pass",
    ]
    for name, row in figures["routes"].items():
        small, large = row["small"], row["large"]
        failed = "" if small["status"] == large["status"] == 200 else f"  (HTTP {small['status']}/{large['status']})"
        lines.append(
            f"{name:<30} {small['p50_ms']:>9} {small['p95_ms']:>8} {large['p50_ms']:>10} {large['p95_ms']:>8} "
            f"{row['ratio']!s:>6} {row['target_ms']:>7}  {'yes' if row['pass'] else 'NO'}{failed}"
        )
    lines += ["", f"Throughput, {figures['throughput_clients']} clients:"]
    for name, row in figures["throughput"].items():
        verdict = "yes" if row.get("pass") else "NO"
        ratio = f", {row['ratio_to_baseline']} of the baseline ({verdict})" if "pass" in row else ""
        lines.append(
            f"  {name:<16} {row['requests_per_second']:>8} req/s, p95 {row['p95_ms']} ms, "
            f"{row['failures']} failed{ratio}"
        )
    lines.append(f"Routes passing: {figures['passed']} of {figures['passed'] + figures['failed']}")
    return "\n".join(lines)
