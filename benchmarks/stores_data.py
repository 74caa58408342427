"""The stores benchmark's data: a catalogue with its equivalences, stores, bins and vans, balances and their ledger.

Parts come in tens (by their index modulo 10): 0–2 the same bearing from three makers (interchangeable both
ways), 3 replaced one way by 4 (with an adapter kit), 5 → 6 → 7 a supersession chain, 8 and 9 on their own.
The central store holds 30 % of the catalogue, each site store 3 000 parts, each bin 1 000 and each van 300
taken among the commonest fifth of the catalogue (all scaled down with `--parts`). Each balance's ledger is a
random walk (receipts of 5 to 20, issues of 1 to 3, a few returns and adjustments) that never goes below zero,
and its on hand is the sum of that ledger. The hot balances (HOT_PARTS parts at the central store and two
site stores), which the concurrent issuers contend for, end with a large delivery; the first of them is left
with its few last units so that issuers also meet refusals.

The ledger goes in by the database's fastest path (binary COPY on PostgreSQL, executemany in one transaction
on SQLite) with the table's secondary indexes and (PostgreSQL) foreign keys dropped during the load and
put back after it, as a restore does: one index build and one validating join each instead of ten million
insertions.
"""

import datetime
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.management.base import CommandError
from django.db import connection, transaction

from maintenir.assets.models import Site
from maintenir.core import bulk
from maintenir.core.choices import Role
from maintenir.core.models import Organisation, User
from maintenir.stores.choices import LocationKind, MovementKind
from maintenir.stores.models import Interchangeability, Location, Part, StockBalance, StockMovement

CATALOGUE_SCALE = 100_000
HELD: dict[LocationKind, int] = {
    LocationKind.CENTRAL_STORE: 30_000,
    LocationKind.SITE_STORE: 3_000,
    LocationKind.BIN: 1_000,
    LocationKind.VAN: 300,
}
COMMON_SHARE = 5  # vans carry parts from the first fifth of the catalogue
HOT_PARTS = 4
HOT_STOCK = 100_000
TEMPLATES = 256
CHUNK = 200_000
# Ledger rows fall on one of these timestamps, four hours apart over the two years up to today (few distinct
# values: the SQLite adapters memoise them); ending today keeps twelve months of issues for the reorder to read.
_TODAY = datetime.datetime.now(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
STAMPS = [_TODAY - datetime.timedelta(hours=4 * n) for n in range(4_000, 0, -1)]
MOVEMENT_FIELDS = [
    "created",
    "last_updated",
    "part_id",
    "location_id",
    "kind",
    "quantity",
    "unit_cost",
    "user_id",
    "reference",
    "note",
]


@dataclass
class Built:
    """What the figures need from the data."""

    part_ids: list[int]
    common_part_ids: list[int]
    site_ids: list[int]
    technician_ids: list[int]
    storekeeper_id: int
    hot: list[tuple[int, int]]  # (part id, location id) balances the issuers contend for
    rows: dict[str, int]
    seconds: dict[str, float]


def layout(locations: int) -> dict[LocationKind, int]:
    """How many locations of each kind: one central store, a tenth site stores, 15 % bins, the rest vans."""
    stores = max(1, locations // 10)
    bins = max(1, locations * 3 // 20)
    vans = locations - 1 - stores - bins
    if vans < 1:
        raise CommandError("--locations must be at least 4 (a central store, a site store, a bin and a van).")
    return {
        LocationKind.CENTRAL_STORE: 1,
        LocationKind.SITE_STORE: stores,
        LocationKind.BIN: bins,
        LocationKind.VAN: vans,
    }


def _price(n: int) -> Decimal:
    return Decimal(100 + n * 7919 % 50_000) / 100


def _parts(count: int) -> tuple[list[int], int]:
    """The catalogue and its equivalences; returns the part ids and the number of equivalence links."""
    ids = bulk.reserve_ids(Part, count)
    makers = ["SKF", "FAG", "NTN"]
    rows, links = [], []
    for n, pk in enumerate(ids):
        kind = n % 10
        group = n // 10
        superseded = ids[n + 1] if kind in (5, 6) and n + 1 < count else None
        rows.append(
            {
                "id": pk,
                "reference": f"P{n:07d}",
                "description": f"Deep groove ball bearing {6200 + group % 100}-2RS" if kind < 3 else f"Part {n}",
                "manufacturer": makers[kind] if kind < 3 else "Festo" if kind < 8 else "Schneider",
                "manufacturer_reference": f"M{n}",
                "category": "Bearings" if kind < 3 else "Pneumatics" if kind < 8 else "Electrical",
                "barcode": f"35{n:011d}",
                "superseded_by_id": superseded,
            }
        )
        if kind in (1, 2) and n - kind + 2 < count:
            links.append({"part_id": ids[n - kind], "replacement_id": pk, "mutual": True, "condition": ""})
            if kind == 2:
                links.append({"part_id": ids[n - 1], "replacement_id": pk, "mutual": True, "condition": ""})
        if kind == 3 and n + 1 < count:
            links.append(
                {"part_id": pk, "replacement_id": ids[n + 1], "mutual": False, "condition": "with adapter kit AK-12"}
            )
    bulk.insert(Part, rows)
    bulk.insert(Interchangeability, links)
    return ids, len(links)


def _locations(locations: int) -> tuple[dict[LocationKind, list[int]], list[int], list[int], int]:
    """The stores, bins and vans (with their technicians): (ids by kind, site ids, technician ids, storekeeper)."""
    counts = layout(locations)
    organisation = Organisation.objects.create(name="Bench", code="bench")
    sites = Site.objects.bulk_create(
        Site(organisation=organisation, code=f"site-{n}", name=f"Site {n}")
        for n in range(counts[LocationKind.SITE_STORE])
    )
    storekeeper = User.objects.create(username="bench-storekeeper", role=Role.MANAGER, password="!")
    technicians = User.objects.bulk_create(
        User(username=f"bench-tech-{n}", role=Role.TECHNICIAN, password="!") for n in range(counts[LocationKind.VAN])
    )
    central = Location.objects.create(code="central", name="Central store", kind=LocationKind.CENTRAL_STORE)
    stores = Location.objects.bulk_create(
        Location(code=f"store-{n}", name=f"{site.name} store", kind=LocationKind.SITE_STORE, site=site)
        for n, site in enumerate(sites)
    )
    bins = Location.objects.bulk_create(
        Location(code=f"bin-{n}", name=f"Bin {n}", kind=LocationKind.BIN, parent=stores[n % len(stores)])
        for n in range(counts[LocationKind.BIN])
    )
    vans = Location.objects.bulk_create(
        Location(code=f"van-{n}", name=f"Van {n}", kind=LocationKind.VAN, technician=technician)
        for n, technician in enumerate(technicians)
    )
    by_kind = {
        LocationKind.CENTRAL_STORE: [central.pk],
        LocationKind.SITE_STORE: [store.pk for store in stores],
        LocationKind.BIN: [item.pk for item in bins],
        LocationKind.VAN: [van.pk for van in vans],
    }
    return by_kind, [site.pk for site in sites], [technician.pk for technician in technicians], storekeeper.pk


def _templates(rng: random.Random, count: int, length: int) -> list[list[tuple[str, Decimal, Decimal]]]:
    """Random walks of (kind, quantity, on hand after it) that never go below zero."""
    quantities = {q: Decimal(q) for q in range(-3, 21)}
    walks = []
    for _ in range(count):
        running, walk = 0, []
        for _ in range(length):
            draw = rng.random()
            if running < 3 or draw < 0.12:
                kind, quantity = MovementKind.RECEIPT, rng.randint(5, 20)
            elif draw < 0.15:
                kind, quantity = MovementKind.RETURN, 1
            elif draw < 0.17:
                kind, quantity = MovementKind.ADJUSTMENT, -1
            else:
                kind, quantity = MovementKind.ISSUE, -min(running, rng.randint(1, 3))
            running += quantity
            walk.append((str(kind), quantities[quantity], Decimal(running)))
        walks.append(walk)
    return walks


def _spread(rng: random.Random, total: int, count: int, floor: set[int]) -> list[int]:
    """`total` split among `count` balances, unevenly; those in `floor` get at least one."""
    weights = [rng.uniform(0.2, 1.8) for _ in range(count)]
    scale = (total - len(floor)) / sum(weights)
    shares = [int(w * scale) + (n in floor) for n, w in enumerate(weights)]
    for n in range(total - sum(shares)):
        shares[n % count] += 1
    return shares


@contextmanager
def _without_secondary_indexes(model: type[Any]) -> Iterator[None]:
    """Drop the table's non-unique indexes (and, on PostgreSQL, its foreign keys) and put them back after."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'f'",
                [table],
            )
            keys = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
            indexes = cursor.fetchall()
            for name, _ in keys:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL "
                "AND sql NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
            keys, indexes = [], cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # For this transaction only: the index builds sort in memory rather than on disk.
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


def _ledger(
    rng: random.Random,
    balances: list[tuple[int, int]],
    shares: list[int],
    hot: set[tuple[int, int]],
    users: dict[int, int],
    prices: dict[int, Decimal],
) -> Iterator[tuple[Any, ...] | tuple[int, int, Decimal]]:
    """Each balance's ledger rows, then a marker (part, location, on hand) for its balance."""
    walks = _templates(rng, min(TEMPLATES, len(balances)), max(shares, default=0))
    orders = [f"WO-{n:05d}" for n in range(1_000)]
    delivery = Decimal(HOT_STOCK)
    scarce = min(hot) if hot else None
    for n, ((part, location), share) in enumerate(zip(balances, shares, strict=True)):
        walk = walks[n % len(walks)]
        extra = (part, location) in hot and (part, location) != scarce
        length = share - extra
        user, cost = users[location], prices[part]
        first = rng.randrange(len(STAMPS) - length) if length < len(STAMPS) else 0
        for j in range(length):
            kind, quantity, _ = walk[j]
            stamp = STAMPS[min(first + j, len(STAMPS) - 1)]
            reference = orders[(n + j) % 1_000] if kind == MovementKind.ISSUE else ""
            yield (stamp, stamp, part, location, kind, quantity, cost, user, reference, "")
        on_hand = walk[length - 1][2] if length else Decimal(0)
        if extra:
            yield (STAMPS[-1], STAMPS[-1], part, location, MovementKind.RECEIPT, delivery, cost, user, "DN-1", "")
            on_hand += delivery
        yield (part, location, on_hand)


def build(parts: int, locations: int, movements: int) -> Built:
    rng = random.Random(18)  # noqa: S311 -- reproducible bench data, not a secret
    seconds: dict[str, float] = {}
    if connection.vendor == "sqlite":
        # This connection only: a page cache of 256 MB for the load and the index builds after it.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
    with transaction.atomic():
        part_ids, links = _parts(parts)
        by_kind, site_ids, technician_ids, storekeeper = _locations(locations)

    scale = parts / CATALOGUE_SCALE
    common = part_ids[: max(1, parts // COMMON_SHARE)]
    held: set[tuple[int, int]] = set()
    for kind, location_ids in by_kind.items():
        pool = common if kind == LocationKind.VAN else part_ids
        size = min(len(pool), max(1, round(HELD[kind] * scale)))
        for location in location_ids:
            held.update((part, location) for part in rng.sample(pool, size))
    hot_locations = [*by_kind[LocationKind.CENTRAL_STORE], *by_kind[LocationKind.SITE_STORE][:2]]
    hot = [(part, location) for part in part_ids[:HOT_PARTS] for location in hot_locations]
    held.update(hot)
    if movements < len(hot):
        raise CommandError(f"--movements must be at least {len(hot)}, one for each hot balance.")
    balances = sorted(held, key=lambda key: (key[1], key[0]))
    shares = _spread(rng, movements, len(balances), {n for n, key in enumerate(balances) if key in set(hot)})
    users = {location: storekeeper for location_ids in by_kind.values() for location in location_ids}
    users.update(zip(by_kind[LocationKind.VAN], technician_ids, strict=True))
    prices = {pk: _price(n) for n, pk in enumerate(part_ids)}

    started = time.perf_counter()
    balance_rows: list[dict[str, Any]] = []
    with transaction.atomic():
        with _without_secondary_indexes(StockMovement):
            chunk: list[tuple[Any, ...]] = []
            for row in _ledger(rng, balances, shares, set(hot), users, prices):
                if len(row) == 3:
                    part, location, on_hand = row
                    # One balance in twenty has a little of its stock promised to planned orders.
                    reserved = min(on_hand, Decimal(1 + len(balance_rows) % 3)) if len(balance_rows) % 20 == 0 else 0
                    balance_rows.append(
                        {
                            "part_id": part,
                            "location_id": location,
                            "on_hand": on_hand,
                            "reserved": Decimal(reserved),
                            "average_cost": prices[part],
                        }
                    )
                    continue
                chunk.append(row)
                if len(chunk) >= CHUNK:
                    bulk.insert_rows(StockMovement, MOVEMENT_FIELDS, chunk)
                    chunk = []
            bulk.insert_rows(StockMovement, MOVEMENT_FIELDS, chunk)
        seconds["ledger_load"] = time.perf_counter() - started
        bulk.insert(StockBalance, balance_rows)
    started = time.perf_counter()
    # As autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would after a load of this size.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    seconds["analyze"] = time.perf_counter() - started
    return Built(
        part_ids=part_ids,
        common_part_ids=common,
        site_ids=site_ids,
        technician_ids=technician_ids,
        storekeeper_id=storekeeper,
        hot=hot,
        rows={
            "parts": parts,
            "equivalence_links": links,
            "locations": locations,
            "balances": len(balance_rows),
            "movements": movements,
        },
        seconds=seconds,
    )
