from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    PIECE = "piece", _("piece")
    METRE = "m", _("metre")
    LITRE = "l", _("litre")
    KILOGRAM = "kg", _("kilogram")
    SET = "set", _("set")


class LocationKind(models.TextChoices):
    CENTRAL_STORE = "central_store", _("Central store")
    SITE_STORE = "site_store", _("Site store")
    BIN = "bin", _("Bin")
    VAN = "van", _("Technician's van")


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ISSUE = "issue", _("Issue")
    RETURN = "return", _("Return")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ADJUSTMENT = "adjustment", _("Adjustment")
    COUNT = "count", _("Count")


# Movements that bring stock in at a cost of their own, which the weighted average cost takes in.
COSTED_INFLOWS = frozenset({MovementKind.RECEIPT, MovementKind.RETURN, MovementKind.TRANSFER_IN})


class PurchaseRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ORDERED = "ordered", _("Ordered")
    CANCELLED = "cancelled", _("Cancelled")


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    PARTLY_RECEIVED = "partly_received", _("Partly received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


# Orders whose goods are still to come: their lines count as "on order".
OPEN_ORDER_STATUSES = frozenset(
    {PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED}
)


class CountStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class UnitStatus(models.TextChoices):
    """Where a serial-numbered repairable unit is in its round trip (échange standard)."""

    IN_STOCK = "in_stock", _("In stock")
    FITTED = "fitted", _("Fitted")
    FAILED = "failed", _("Removed, failed")
    AT_REPAIRER = "at_repairer", _("Sent for repair")
    SCRAPPED = "scrapped", _("Scrapped")


class UnitEventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    FITTED = "fitted", _("Fitted")
    REMOVED = "removed", _("Removed in working order")
    REMOVED_FAILED = "removed_failed", _("Removed, failed")
    SENT_FOR_REPAIR = "sent_for_repair", _("Sent for repair")
    BACK_FROM_REPAIR = "back_from_repair", _("Back from repair")
    SCRAPPED = "scrapped", _("Scrapped")
