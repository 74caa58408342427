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
