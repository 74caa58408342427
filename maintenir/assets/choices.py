from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceLot(models.TextChoices):
    """The building trade's service lots."""

    ENERGY = "energy", _("Energy")
    COMFORT = "comfort", _("Comfort")
    SECURITY = "security", _("Security")


class Technology(models.TextChoices):
    """The industrial trade's technologies; an equipment may combine several."""

    ELECTRICAL = "electrical", _("Electrical")
    PNEUMATIC = "pneumatic", _("Pneumatic")
    MECHANICAL = "mechanical", _("Mechanical")
    HYDRAULIC = "hydraulic", _("Hydraulic")
    AUTOMATION = "automation", _("Automation")


class EquipmentStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    DEGRADED = "degraded", _("Degraded")
    DOWN = "down", _("Down")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")


class Criticality(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class CounterKind(models.TextChoices):
    RUNNING_HOURS = "running_hours", _("Running hours")
    CYCLES = "cycles", _("Cycles")


COUNTER_UNITS = {CounterKind.RUNNING_HOURS: "h", CounterKind.CYCLES: "cycles"}


class DocumentType(models.TextChoices):
    MANUAL = "manual", _("Manual")
    DATASHEET = "datasheet", _("Data sheet")
    DRAWING = "drawing", _("Drawing")
    WIRING_DIAGRAM = "wiring_diagram", _("Wiring diagram")
    CERTIFICATE = "certificate", _("Certificate")
    COMMISSIONING_REPORT = "commissioning_report", _("Commissioning report")
    INSPECTION_REPORT = "inspection_report", _("Inspection report")
    CONTRACT = "contract", _("Maintenance contract")
    SAFETY = "safety", _("Safety document")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other")


class ReadingSource(models.TextChoices):
    MANUAL = "manual", _("Manual entry")
    DEVICE = "device", _("Device")
    IMPORT = "import", _("Import")
