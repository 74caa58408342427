"""Spare parts and stores at scale: availability, equivalents near a technician, concurrent issues, reorder.

Run with `maintenir bench stores [--parts 100000] [--locations 200] [--movements 10000000] [--seconds 20]
[--database URL] [--json]`; `--movements 200000` is a quick try. The data (see `benchmarks.stores_data`):
the catalogue with bearings from three makers, one-way replacements and supersession chains, a central
store, site stores with bins and technicians' vans, sparse balances and a ledger whose sum per part and
location is each balance's on hand. Figures, each against a baseline measured in the same run:

a. the availability of one part across all locations as the part's page and the API read it (p50/p95 over
   random parts), against the same rows read by hand-written SQL; target p95 < 20 ms on PostgreSQL;
b. the equivalents available near a technician (`services.offers` for a random technician on a random site
   and a random part of the commonest fifth with equivalents), against one hand-written SQL statement whose
   offers must be the same; target p95 < 50 ms;
c. ISSUERS processes, each its own technician and connection, issuing one unit at a time of HOT_PARTS parts
   at three stores for `--seconds`: movements per second, then no negative balance, no lost update (each
   touched balance is its first on hand plus the new ledger rows) and as many ledger rows as issues that
   succeeded (a `StockConflict` is a refusal, not a loss); then the same race by bare SQL (lock, check,
   update, insert) as the baseline; and at the end the whole ledger's sums against the balances;
d. the reorder proposals for all parts with their suggested reorder points (`reorder.reorder_proposals` over
   tens of thousands of rules, open purchase lines, suppliers' offers and twelve months of issues), against
   hand-written SQL of the same computation whose proposals must be the same (ratio = SQL seconds / ORM
   seconds, target >= 0.5; see `benchmarks.stores_reorder`).
"""

import multiprocessing
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks import stores_reorder
from benchmarks.stores_data import Built, build
from maintenir.assets.models import Site
from maintenir.core.models import User
from maintenir.stores import services
from maintenir.stores.models import Location, Part, StockBalance, StockMovement

AVAILABILITY_RUNS = 1_000
OFFERS_RUNS = 500
WARM_UP = 20
ISSUERS = 8
STARTUP_SECONDS = 120


def _ms(name: str, samples: list[float]) -> dict[str, float]:
    """The median and 95th percentile of `samples`, in milliseconds."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {f"{name}_p50_ms": round(statistics.median(samples) * 1000, 2), f"{name}_p95_ms": round(cuts[94] * 1000, 2)}


def _timed(call: Callable[[Any], Any], arguments: list[Any]) -> list[float]:
    for argument in arguments[:WARM_UP]:
        call(argument)
    samples = []
    for argument in arguments:
        started = time.perf_counter()
        call(argument)
        samples.append(time.perf_counter() - started)
    return samples


# --- a. Availability of one part ------------------------------------------------------------------


def availability(user: User, part_id: int) -> list[tuple[str, Decimal]]:
    """The part's stock per location as its page and `/api/stock-balances?part=` read it."""
    balances = StockBalance.objects.restrict(user).filter(part_id=part_id).select_related("location")
    return [(balance.location.name, balance.available) for balance in balances]


def availability_sql(part_id: int) -> list[tuple[str, Decimal]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.name, b.on_hand - b.reserved FROM stores_stockbalance b "
            "JOIN stores_location l ON l.id = b.location_id WHERE b.part_id = %s",
            [part_id],
        )
        return cursor.fetchall()


def availability_figures(built: Built, rng: random.Random) -> dict[str, Any]:
    user = User.objects.get(pk=built.technician_ids[0])
    part_ids = [rng.choice(built.part_ids) for _ in range(AVAILABILITY_RUNS)]
    return {
        **_ms("availability", _timed(lambda part_id: availability(user, part_id), part_ids)),
        **_ms("availability_sql", _timed(availability_sql, part_ids)),
        "availability_locations_per_part": round(StockBalance.objects.count() / len(built.part_ids), 2),
    }


# --- b. Equivalents available near me -------------------------------------------------------------

OFFERS_SQL = """
WITH RECURSIVE chain(id) AS (
    SELECT superseded_by_id FROM stores_part WHERE id = %s AND superseded_by_id IS NOT NULL
    UNION
    SELECT p.superseded_by_id FROM stores_part p JOIN chain c ON p.id = c.id WHERE p.superseded_by_id IS NOT NULL
), wanted(id) AS (
    SELECT replacement_id FROM stores_interchangeability WHERE part_id = %s
    UNION SELECT part_id FROM stores_interchangeability WHERE replacement_id = %s AND mutual
    UNION SELECT id FROM chain
    UNION SELECT %s
)
SELECT b.part_id, b.location_id FROM stores_stockbalance b
WHERE b.part_id IN (SELECT id FROM wanted) AND b.on_hand > b.reserved
"""


def offers_sql(part_id: int) -> set[tuple[int, int]]:
    """Where the part or an equivalent is available, in one statement (the order of nearness aside)."""
    with connection.cursor() as cursor:
        cursor.execute(OFFERS_SQL, [part_id] * 4)
        return set(cursor.fetchall())


def offers_figures(built: Built, rng: random.Random) -> dict[str, Any]:
    technicians = User.objects.in_bulk(built.technician_ids)
    sites = Site.objects.in_bulk(built.site_ids)
    # Parts with equivalents (the first eight of every ten), from those vans carry.
    candidates = [pk for n, pk in enumerate(built.common_part_ids) if n % 10 < 8]
    parts = Part.objects.in_bulk(candidates)
    asks = [
        (
            technicians[rng.choice(built.technician_ids)],
            parts[rng.choice(candidates)],
            sites[rng.choice(built.site_ids)],
        )
        for _ in range(OFFERS_RUNS)
    ]

    def ask(request: tuple[User, Part, Site]) -> list[services.Offer]:
        technician, part, site = request
        return services.offers(technician, part, technician=technician, site=site)

    ours = _ms("offers", _timed(ask, asks))
    theirs = _ms("offers_sql", _timed(lambda request: offers_sql(request[1].pk), asks))
    disagreeing, found, queries = 0, 0, 0
    for request in asks[:100]:
        with CaptureQueriesContext(connection) as captured:
            offered = ask(request)
        queries = max(queries, len(captured))
        found += len(offered)
        disagreeing += {(offer.part.pk, offer.location.pk) for offer in offered} != offers_sql(request[1].pk)
    return {
        **ours,
        **theirs,
        "offers_queries_max": queries,
        "offers_found_per_ask": round(found / 100, 1),
        "offers_disagreeing_with_sql": disagreeing,
    }


# --- c. Concurrent issues -------------------------------------------------------------------------

# The baseline's issue: lock the balance, check it, update it and write the ledger row, nothing else (no
# permission checks, validation or change log). SQLite has no FOR UPDATE: its transactions take the write
# lock as they begin (IMMEDIATE), which serialises them.
RAW_LOCK = (
    "SELECT id, on_hand - reserved, average_cost FROM stores_stockbalance WHERE part_id = %s AND location_id = %s"
)
RAW_UPDATE = "UPDATE stores_stockbalance SET on_hand = on_hand - 1, last_updated = %s WHERE id = %s"
RAW_INSERT = (
    "INSERT INTO stores_stockmovement (created, last_updated, part_id, location_id, kind, quantity, unit_cost, "
    "user_id, reference, note) VALUES (%s, %s, %s, %s, 'issue', -1, %s, %s, %s, '')"
)


def _raw_issue(technician_id: int, part: int, location: int, reference: str) -> bool:
    """One unit out by hand-written SQL; False when nothing is available."""
    lock = RAW_LOCK + (" FOR UPDATE" if connection.vendor == "postgresql" else "")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(lock, [part, location])
        balance, available, cost = cursor.fetchone()
        if available < 1:
            return False
        now = timezone.now()
        cursor.execute(RAW_UPDATE, [now, balance])
        cursor.execute(RAW_INSERT, [now, now, part, location, cost, technician_id, reference])
    return True


def _issuer(
    number: int, technician_id: int, hot: list[tuple[int, int]], raw: bool, seconds: int, start: Any, results: Any
) -> None:
    """One technician issuing one unit at a time of a random hot part, on a connection of their own."""
    rng = random.Random(number)  # noqa: S311 -- which part to take next, not a secret
    technician = User.objects.get(pk=technician_id)
    parts = Part.objects.in_bulk({part for part, _ in hot})
    locations = Location.objects.in_bulk({location for _, location in hot})
    one, reference = Decimal(1), f"bench-issuer-{number}"
    issued = refused = failed = 0
    start.wait()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        part, location = rng.choice(hot)
        try:
            if raw:
                done = _raw_issue(technician_id, part, location, reference)
            else:
                services.issue(technician, parts[part], locations[location], one, reference=reference)
                done = True
        except services.StockConflict:
            done = False
        except DatabaseError:
            failed += 1
            continue
        issued += done
        refused += not done
    connection.close()
    results.put((issued, refused, failed))


def _hot_on_hand(built: Built) -> dict[tuple[int, int], Decimal]:
    balances = StockBalance.objects.filter(part_id__in={part for part, _ in built.hot})
    return {(balance.part_id, balance.location_id): balance.on_hand for balance in balances}


def issue_race(built: Built, seconds: int, raw: bool) -> dict[str, Any]:
    """ISSUERS processes issuing for `seconds`; what they did, checked against the ledger and the balances."""
    last_id = StockMovement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    before = _hot_on_hand(built)
    # Each process opens its own connection: none may inherit the parent's.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(ISSUERS + 1), context.Queue()
    technicians = built.technician_ids
    issuers = [
        context.Process(
            target=_issuer, args=(n, technicians[n % len(technicians)], built.hot, raw, seconds, start, results)
        )
        for n in range(ISSUERS)
    ]
    for process in issuers:
        process.start()
    # Bounded waits: an issuer that dies fails the run rather than hanging it.
    start.wait(timeout=STARTUP_SECONDS)
    started = time.perf_counter()
    outcomes = [results.get(timeout=seconds + STARTUP_SECONDS) for _ in issuers]
    elapsed = time.perf_counter() - started
    for process in issuers:
        process.join()
    issued, refused, failed = (sum(column) for column in zip(*outcomes, strict=True))
    written = {
        (row["part_id"], row["location_id"]): row
        for row in StockMovement.objects.filter(pk__gt=last_id)
        .values("part_id", "location_id")
        .annotate(total=Sum("quantity"), rows=Count("pk"))
    }
    after = _hot_on_hand(built)
    rows = sum(row["rows"] for row in written.values())
    lost = sum(after[key] != before[key] + (written[key]["total"] if key in written else 0) for key in after)
    return {
        "seconds": round(elapsed, 1),
        "issued": issued,
        "refused_stock_conflict": refused,
        "failed_database_error": failed,
        "movements_per_s": round(rows / elapsed, 1),
        "ledger_rows_written": rows,
        "lost_updates": lost + abs(rows - issued),
        "negative_balances": StockBalance.objects.filter(on_hand__lt=0).count(),
    }


def issue_figures(built: Built, seconds: int) -> dict[str, Any]:
    ours, theirs = issue_race(built, seconds, raw=False), issue_race(built, seconds, raw=True)
    return {
        "issuers": ISSUERS,
        **{f"issue_{key}": value for key, value in ours.items()},
        "issue_sql_movements_per_s": theirs["movements_per_s"],
        "issue_sql_lost_updates": theirs["lost_updates"],
        "issue_ratio": round(ours["movements_per_s"] / theirs["movements_per_s"], 2) if theirs["issued"] else None,
    }


LEDGER_CHECK_SQL = """
SELECT
    (SELECT COUNT(*) FROM (
        SELECT part_id, location_id, SUM(quantity) AS total FROM stores_stockmovement GROUP BY part_id, location_id
    ) m LEFT JOIN stores_stockbalance b ON b.part_id = m.part_id AND b.location_id = m.location_id
    WHERE b.id IS NULL OR b.on_hand <> m.total)
  + (SELECT COUNT(*) FROM stores_stockbalance b WHERE b.on_hand <> 0 AND NOT EXISTS (
        SELECT 1 FROM stores_stockmovement m WHERE m.part_id = b.part_id AND m.location_id = b.location_id))
"""


def balances_disagreeing_with_ledger() -> int:
    with connection.cursor() as cursor:
        cursor.execute(LEDGER_CHECK_SQL)
        return int(cursor.fetchone()[0])


# --- d. Reorder proposals for all parts: see `benchmarks.stores_reorder` ----------------------------


def run(movements: int, parts: int, locations: int, seconds: int) -> dict[str, Any]:
    started = time.perf_counter()
    built = build(parts, locations, movements)
    build_seconds = time.perf_counter() - started
    rng = random.Random(5)  # noqa: S311 -- which parts and users are asked for, not a secret
    figures: dict[str, Any] = {
        "database": connection.vendor,
        **built.rows,
        "build_s": round(build_seconds, 1),
        "build_rows_per_s": round(sum(built.rows.values()) / build_seconds),
        "ledger_load_s": round(built.seconds["ledger_load"], 1),
        "ledger_rows_per_s": round(movements / built.seconds["ledger_load"]),
        "analyze_s": round(built.seconds["analyze"], 1),
    }
    figures |= availability_figures(built, rng)
    figures |= offers_figures(built, rng)
    figures |= issue_figures(built, seconds)
    figures["balances_disagreeing_with_ledger"] = balances_disagreeing_with_ledger()
    figures |= stores_reorder.figures(built)
    figures["targets_met"] = (
        figures["availability_p95_ms"] < 20
        and figures["offers_p95_ms"] < 50
        and figures["issue_lost_updates"] == figures["issue_negative_balances"] == 0
        and figures["balances_disagreeing_with_ledger"] == 0
        and figures["reorder_ratio"] >= 0.5
        and figures["reorder_disagreeing_with_sql"] == 0
    )
    return figures
