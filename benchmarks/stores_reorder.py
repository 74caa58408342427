"""The stores benchmark's figure d: the reorder proposals for all parts, against hand-written SQL.

The data, over the bench's catalogue and ledger: a reorder rule for every balance of the central and site
stores (and for a part in fifty at the central store where it holds none), suppliers' offers for three parts
in four (one to three suppliers, lead times and prices that often tie, so the quickest-then-cheapest-then-
first-by-name choice is exercised, and minimum orders that often exceed the shortfall), open and closed
purchase order lines for a rule in eight, coming needs for a rule in thirty, and parts in metres and litres
beside pieces so that only some quantities are rounded up. Quantities are whole or halves: SQLite computes
in binary floating point, which is exact for them, so both sides' quantities compare exactly.

Both sides answer {(part id, location id): (quantity, supplier id, unit price, suggested reorder point,
suggested order-up-to)} for the rules whose projected stock is at or under their reorder point. The ORM side
is `reorder_proposals` with the bench's needs given explicitly. The SQL side is one statement doing the
projection, the filter, the supplier choice, the rounding to the minimum order and whole units, and the
grouped twelve months of daily issues (their sum and sum of squares); what is left to Python is the
suggestion's formula on each aggregated row (square root and the normal quantile), the same `suggest` the
ORM side calls.
"""

import datetime
import random
import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from benchmarks.stores_data import Built
from maintenir.core import bulk
from maintenir.stores.choices import OPEN_ORDER_STATUSES, LocationKind, MovementKind, PurchaseOrderStatus, Unit
from maintenir.stores.models import (
    Location,
    Part,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderRule,
    StockBalance,
    Supplier,
    SupplierPart,
)
from maintenir.stores.reorder import HISTORY_DAYS, WHOLE_UNITS, reorder_proposals, service_level, suggest

Pair = tuple[int, int]
Answer = dict[Pair, tuple[Decimal, int | None, Decimal | None, Decimal, Decimal]]

SUPPLIERS = 12
LEAD_TIMES = (3, 7, 7, 14, 30)
MINIMUM_ORDERS = tuple(Decimal(q) for q in ("1", "1", "5", "10", "25", "2.5", "12.5"))
LINES_PER_ORDER = 40
HALF = Decimal("0.5")


def _units(part_ids: list[int]) -> None:
    """Parts ending in 8 are sold by the metre and those ending in 9 by the litre (the rest by the piece)."""
    for ending, unit in ((8, Unit.METRE), (9, Unit.LITRE)):
        chosen = [pk for n, pk in enumerate(part_ids) if n % 10 == ending]
        for start in range(0, len(chosen), bulk.BATCH_SIZE):
            Part.objects.filter(pk__in=chosen[start : start + bulk.BATCH_SIZE]).update(unit=unit)


def _offers(rng: random.Random, part_ids: list[int]) -> int:
    suppliers = Supplier.objects.bulk_create(Supplier(name=f"Bench supplier {n:02d}") for n in range(SUPPLIERS))
    rows = []
    for n, part in enumerate(part_ids):
        for k in range(n % 4):
            rows.append(
                {
                    "supplier_id": suppliers[(n + 5 * k) % SUPPLIERS].pk,
                    "part_id": part,
                    "supplier_reference": f"S{k}-{n}",
                    "price": Decimal(rng.choice((250, 400, 400, 1275))) / 100,
                    "minimum_order": rng.choice(MINIMUM_ORDERS),
                    "lead_time_days": rng.choice(LEAD_TIMES),
                }
            )
    bulk.insert(SupplierPart, rows)
    return len(rows)


def build(built: Built) -> tuple[dict[Pair, Decimal], dict[str, int]]:
    """Write the rules, offers and purchase orders; return the coming needs and the row counts."""
    rng = random.Random(19)  # noqa: S311 -- reproducible bench data, not a secret
    index = {pk: n for n, pk in enumerate(built.part_ids)}
    with transaction.atomic():
        _units(built.part_ids)
        offers = _offers(rng, built.part_ids)
        stores = dict(
            Location.objects.filter(kind__in=[LocationKind.CENTRAL_STORE, LocationKind.SITE_STORE]).values_list(
                "pk", "kind"
            )
        )
        central = next(pk for pk, kind in stores.items() if kind == LocationKind.CENTRAL_STORE)
        balances = StockBalance.objects.filter(location_id__in=list(stores))
        available = {
            (part, location): on_hand - reserved
            for part, location, on_hand, reserved in balances.values_list(
                "part_id", "location_id", "on_hand", "reserved"
            )
        }
        pairs = set(available) | {(pk, central) for n, pk in enumerate(built.part_ids) if n % 50 == 7}
        ordered = sorted(pairs, key=lambda pair: (pair[1], pair[0]))
        rules = []
        for n, pair in enumerate(ordered):
            # Around the stock available, so that about two rules in five propose (more with needs, fewer
            # with orders).
            point = max(Decimal(0), available.get(pair, Decimal(0)) + n % 5 - 3)
            rules.append(
                {"part_id": pair[0], "location_id": pair[1], "reorder_point": point, "maximum": point + 4 + n % 21}
            )
        bulk.insert(ReorderRule, rules)
        lines = _orders(rng, ordered, index)
    needs: dict[Pair, Decimal] = {}
    for n, pair in enumerate(ordered):
        if n % 30 == 11:
            needs[pair] = Decimal(1 + n % 5) + (HALF if index[pair[0]] % 10 == 9 else 0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    return needs, {"reorder_rules": len(rules), "supplier_parts": offers, "purchase_order_lines": lines}


def _orders(rng: random.Random, pairs: list[Pair], index: dict[int, int]) -> int:
    """Purchase orders of LINES_PER_ORDER lines, in every status, for a rule in eight; a line in four has been
    received in part and one in eight in full (no longer on order)."""
    ordered = [pair for n, pair in enumerate(pairs) if n % 8 == 3]
    statuses = list(PurchaseOrderStatus)
    count = -(-len(ordered) // LINES_PER_ORDER)
    supplier = Supplier.objects.order_by("pk").values_list("pk", flat=True).first()
    order_ids = bulk.reserve_ids(PurchaseOrder, count)
    bulk.insert(
        PurchaseOrder,
        [
            {"id": pk, "number": f"PO-B{n:06d}", "supplier_id": supplier, "status": statuses[n % len(statuses)]}
            for n, pk in enumerate(order_ids)
        ],
    )
    rows = []
    for n, (part, location) in enumerate(ordered):
        quantity = Decimal(rng.randint(2, 12)) + (HALF if index[part] % 10 == 9 else 0)
        draw = n % 8
        received = quantity if draw == 0 else Decimal(1) if draw in (1, 2) else Decimal(0)
        rows.append(
            {
                "order_id": order_ids[n // LINES_PER_ORDER],
                "part_id": part,
                "location_id": location,
                "quantity": quantity,
                "received": received,
                "unit_price": Decimal(4),
            }
        )
    bulk.insert(PurchaseOrderLine, rows)
    return len(rows)


# The proposals in one statement. {day} truncates `m.created` to the day in the current time zone as the ORM's
# TruncDate does (on SQLite by the function Django registers for it), {ceil} rounds up, {needs} is a VALUES list.
REORDER_SQL = """
WITH needs(part_id, location_id, quantity) AS ({needs}),
needed AS (SELECT part_id, location_id, SUM(quantity) AS quantity FROM needs GROUP BY part_id, location_id),
ordered AS (
    SELECT l.part_id, l.location_id, SUM(l.quantity - l.received) AS quantity
    FROM stores_purchaseorderline l JOIN stores_purchaseorder o ON o.id = l.order_id
    WHERE o.status IN ({open_statuses}) AND l.received < l.quantity
    GROUP BY l.part_id, l.location_id
),
offers AS (
    SELECT sp.part_id, sp.supplier_id, sp.price, sp.minimum_order, sp.lead_time_days,
        ROW_NUMBER() OVER (PARTITION BY sp.part_id ORDER BY sp.lead_time_days, sp.price, s.name) AS choice
    FROM stores_supplierpart sp JOIN stores_supplier s ON s.id = sp.supplier_id
),
projected AS (
    SELECT r.part_id, r.location_id, p.unit, r.reorder_point, r.maximum,
        COALESCE(b.on_hand - b.reserved, 0) + COALESCE(o.quantity, 0) - COALESCE(n.quantity, 0) AS stock
    FROM stores_reorderrule r
    JOIN stores_part p ON p.id = r.part_id
    JOIN stores_location loc ON loc.id = r.location_id
    LEFT JOIN stores_stockbalance b ON b.part_id = r.part_id AND b.location_id = r.location_id
    LEFT JOIN ordered o ON o.part_id = r.part_id AND o.location_id = r.location_id
    LEFT JOIN needed n ON n.part_id = r.part_id AND n.location_id = r.location_id
    WHERE p.owner_id IS NULL AND loc.owner_id IS NULL
),
proposed AS (
    SELECT x.part_id, x.location_id, x.unit, f.supplier_id, f.price, f.lead_time_days,
        CASE WHEN x.maximum - x.stock >= COALESCE(f.minimum_order, 0) THEN x.maximum - x.stock
            ELSE COALESCE(f.minimum_order, 0) END AS quantity
    FROM projected x LEFT JOIN offers f ON f.part_id = x.part_id AND f.choice = 1
    WHERE x.stock <= x.reorder_point
),
daily AS (
    SELECT m.part_id, m.location_id, {day} AS day, SUM(m.quantity) AS total
    FROM stores_stockmovement m
    WHERE m.kind = %s AND m.created >= %s AND m.created < %s
        AND EXISTS (SELECT 1 FROM stores_reorderrule r WHERE r.part_id = m.part_id AND r.location_id = m.location_id)
    GROUP BY 1, 2, 3
),
demand AS (
    SELECT part_id, location_id, SUM(-total) AS total, SUM(total * total) AS squares
    FROM daily GROUP BY part_id, location_id
)
SELECT q.part_id, q.location_id, CASE WHEN q.unit IN ({whole}) THEN {ceil} ELSE q.quantity END,
    q.supplier_id, q.price, q.lead_time_days, d.total, d.squares
FROM proposed q LEFT JOIN demand d ON d.part_id = q.part_id AND d.location_id = q.location_id
"""


def _quoted(values: Any) -> str:
    return ", ".join(f"'{value}'" for value in sorted(values))


def reorder_sql(needs: dict[Pair, Decimal]) -> Answer:
    """The proposals by hand-written SQL, then the suggestion's formula in Python on each row."""
    if connection.vendor == "postgresql":
        day, ceil = "(m.created AT TIME ZONE %s)::date", "CEIL(q.quantity)"
        day_params = [timezone.get_current_timezone_name()]
    else:
        day = "django_datetime_cast_date(m.created, %s, %s)"
        ceil = (
            "CASE WHEN q.quantity > CAST(q.quantity AS INTEGER) THEN CAST(q.quantity AS INTEGER) + 1 "
            "ELSE q.quantity END"
        )
        day_params = [timezone.get_current_timezone_name(), connection.timezone_name]
    # A VALUES list needs a row: a pair that no rule has stands for "no needs".
    rows = needs.items() or [((0, 0), Decimal(0))]
    query = REORDER_SQL.format(
        needs="VALUES " + ", ".join("(%s, %s, %s)" for _ in rows),
        open_statuses=_quoted(OPEN_ORDER_STATUSES),
        whole=_quoted(WHOLE_UNITS),
        day=day,
        ceil=ceil,
    )
    end = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    window = [str(MovementKind.ISSUE), adapt(end - datetime.timedelta(days=HISTORY_DAYS)), adapt(end)]
    params: list[Any] = [value for (part, location), quantity in rows for value in (part, location, quantity)]
    params += [*day_params, *window]
    level = service_level()
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        answer: Answer = {}
        for part, location, quantity, supplier, price, lead_time, total, squares in cursor.fetchall():
            suggestion = suggest(float(total or 0), float(squares or 0), lead_time or 0, level)
            answer[(part, location)] = (
                _decimal(quantity),
                supplier,
                None if price is None else _decimal(price),
                suggestion.reorder_point,
                suggestion.maximum,
            )
    return answer


def _decimal(value: Any) -> Decimal:
    """SQLite answers floats (exact here: whole numbers and halves), PostgreSQL decimals."""
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def reorder_orm(needs: dict[Pair, Decimal]) -> Answer:
    answer: Answer = {}
    for proposal in reorder_proposals(needs=needs):
        assert proposal.suggestion is not None
        answer[(proposal.part_id, proposal.location_id)] = (
            proposal.quantity,
            proposal.supplier_id,
            proposal.unit_price,
            proposal.suggestion.reorder_point,
            proposal.suggestion.maximum,
        )
    return answer


def figures(built: Built) -> dict[str, Any]:
    started = time.perf_counter()
    needs, rows = build(built)
    build_seconds = time.perf_counter() - started
    # One untimed run of each warms the caches alike; then each is timed on the same data.
    reorder_orm(needs), reorder_sql(needs)
    started = time.perf_counter()
    ours = reorder_orm(needs)
    orm_seconds = time.perf_counter() - started
    started = time.perf_counter()
    theirs = reorder_sql(needs)
    sql_seconds = time.perf_counter() - started
    return {
        **rows,
        "reorder_needs": len(needs),
        "reorder_build_s": round(build_seconds, 1),
        "reorder_s": round(orm_seconds, 2),
        "reorder_sql_s": round(sql_seconds, 2),
        "reorder_ratio": round(sql_seconds / orm_seconds, 2),
        "reorder_proposals": len(ours),
        "reorder_proposals_with_demand": sum(1 for row in ours.values() if row[3] > 0),
        "reorder_proposals_with_supplier": sum(1 for row in ours.values() if row[1] is not None),
        "reorder_disagreeing_with_sql": len(ours.keys() ^ theirs.keys())
        + sum(ours[pair] != theirs[pair] for pair in ours.keys() & theirs.keys()),
    }
