"""What the stores lists download as (see `ui.exports`).

The catalogue's columns are those `maintenir import parts` reads, under the fields' labels, so that a catalogue
downloaded, edited in a spreadsheet and imported again updates what it lists.
"""

from typing import Any

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from maintenir.stores.importers import PART_COLUMNS
from maintenir.stores.models import (
    CycleCount,
    Location,
    Part,
    PurchaseOrder,
    PurchaseRequest,
    RepairableUnit,
    StockBalance,
    StockMovement,
    Supplier,
)
from maintenir.ui.exports import Column, Export


def label(model: type[models.Model], name: str) -> Any:
    field: Any = model._meta.get_field(name)
    return capfirst(field.verbose_name)


PART_ACCESSORS = {"superseded_by": "superseded_by.reference"}
PARTS = Export("parts", [(label(Part, name), PART_ACCESSORS.get(name, name)) for name in PART_COLUMNS])

BALANCE_COLUMNS: list[Column] = [
    (_("Location code"), "location.code"),
    (_("Location"), "location.name"),
    (_("Part"), "part.reference"),
    (_("Description"), "part.description"),
    (label(Part, "unit"), "part.unit"),
    (label(StockBalance, "on_hand"), "on_hand"),
    (label(StockBalance, "reserved"), "reserved"),
    (_("Available"), "available"),
    (label(StockBalance, "average_cost"), "average_cost"),
]
BALANCES = Export("stock", BALANCE_COLUMNS)

LOCATIONS = Export(
    "stock-locations",
    [
        (label(Location, "code"), "code"),
        (label(Location, "name"), "name"),
        (label(Location, "kind"), "get_kind_display"),
        (label(Location, "parent"), "parent.code"),
        (label(Location, "site"), "site.name"),
        (label(Location, "technician"), "technician.get_full_name"),
        (label(Location, "owner"), "owner.name"),
    ],
)
MOVEMENTS = Export(
    "stock-movements",
    [
        (label(StockMovement, "created"), "created"),
        (label(StockMovement, "kind"), "get_kind_display"),
        (_("Part"), "part.reference"),
        (_("Location code"), "location.code"),
        (label(StockMovement, "quantity"), "quantity"),
        (label(StockMovement, "unit_cost"), "unit_cost"),
        (_("Value"), "value"),
        (label(StockMovement, "reference"), "reference"),
        (label(StockMovement, "note"), "note"),
        (label(StockMovement, "user"), "user.get_full_name"),
    ],
)
SUPPLIERS = Export(
    "suppliers",
    [(label(Supplier, name), name) for name in ("name", "email", "phone")],
)
PURCHASE_REQUESTS = Export(
    "purchase-requests",
    [
        (label(PurchaseRequest, "created"), "created"),
        (_("Part"), "part.reference"),
        (_("Location code"), "location.code"),
        (label(PurchaseRequest, "quantity"), "quantity"),
        (label(PurchaseRequest, "supplier"), "supplier.name"),
        (label(PurchaseRequest, "status"), "get_status_display"),
        (_("Purchase order"), "order_line.order.number"),
        (label(PurchaseRequest, "reason"), "reason"),
    ],
)
PURCHASE_ORDERS = Export(
    "purchase-orders",
    [
        (label(PurchaseOrder, "number"), "number"),
        (label(PurchaseOrder, "supplier"), "supplier.name"),
        (label(PurchaseOrder, "status"), "get_status_display"),
        (label(PurchaseOrder, "created"), "created"),
        (label(PurchaseOrder, "sent_at"), "sent_at"),
        (label(PurchaseOrder, "expected"), "expected"),
    ],
)
CYCLE_COUNTS = Export(
    "cycle-counts",
    [
        (label(CycleCount, "location"), "location.name"),
        (label(CycleCount, "planned_for"), "planned_for"),
        (label(CycleCount, "status"), "get_status_display"),
        (label(CycleCount, "started_at"), "started_at"),
        (label(CycleCount, "completed_at"), "completed_at"),
    ],
)
REPAIRABLE_UNITS = Export(
    "repairable-units",
    [
        (_("Part"), "part.reference"),
        (label(RepairableUnit, "serial_number"), "serial_number"),
        (label(RepairableUnit, "status"), "get_status_display"),
        (_("Location code"), "location.code"),
        (_("Equipment"), "equipment.code"),
        (label(RepairableUnit, "unit_cost"), "unit_cost"),
    ],
)
CRITICAL_SPARES_SHORT = Export(
    "critical-spares-short",
    [
        (_("Equipment"), "equipment.code"),
        (_("Part"), "part.reference"),
        (_("Description"), "part.description"),
        (_("Minimum"), "fit.minimum_stock"),
        (_("Available"), "available"),
        (_("Equivalents"), "equivalents_available"),
        (_("Missing"), "missing"),
    ],
)
REORDER_PROPOSALS = Export(
    "reorder",
    [
        (_("Part"), "part_reference"),
        (_("Location"), "location_name"),
        (_("Available"), "available"),
        (_("On order"), "on_order"),
        (_("Needs"), "needs"),
        (_("Reorder point"), "reorder_point"),
        (_("Maximum"), "maximum"),
        (_("To order"), "quantity"),
        (_("Supplier"), "supplier_name"),
        (_("Unit price"), "unit_price"),
    ],
)
