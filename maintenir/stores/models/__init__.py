"""Spare parts: the catalogue and its equivalences, suppliers, locations, and stock kept as a ledger and balances."""

from maintenir.stores.models.catalogue import Interchangeability, Part, Supplier, SupplierPart
from maintenir.stores.models.counts import CycleCount, CycleCountLine
from maintenir.stores.models.documents import PartDocument
from maintenir.stores.models.fields import (
    PURCHASING_PERMISSIONS,
    STOCK_ROLES,
    cost_field,
    owner_field,
    quantity_field,
)
from maintenir.stores.models.fits import PartFit
from maintenir.stores.models.purchasing import PurchaseOrder, PurchaseOrderLine, PurchaseRequest, ReorderRule
from maintenir.stores.models.repairables import RepairableEvent, RepairableUnit
from maintenir.stores.models.stock import Location, StockBalance, StockMovement

__all__ = [
    "PURCHASING_PERMISSIONS",
    "STOCK_ROLES",
    "CycleCount",
    "CycleCountLine",
    "Interchangeability",
    "Location",
    "Part",
    "PartDocument",
    "PartFit",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseRequest",
    "ReorderRule",
    "RepairableEvent",
    "RepairableUnit",
    "StockBalance",
    "StockMovement",
    "Supplier",
    "SupplierPart",
    "cost_field",
    "owner_field",
    "quantity_field",
]
