from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkOrderType(models.TextChoices):
    """EN 13306 types of maintenance, plus the building trade's commissioning work."""

    CORRECTIVE = "corrective", _("Corrective")
    PREVENTIVE_SYSTEMATIC = "preventive_systematic", _("Preventive, systematic")
    PREVENTIVE_CONDITIONAL = "preventive_conditional", _("Preventive, condition-based")
    IMPROVEMENT = "improvement", _("Improvement")
    INSTALLATION = "installation", _("Installation and commissioning")


class Priority(models.IntegerChoices):
    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")
    LOW = 4, _("Low")


class WorkOrderStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    DONE = "done", _("Done")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset(
    {
        WorkOrderStatus.REQUESTED,
        WorkOrderStatus.APPROVED,
        WorkOrderStatus.PLANNED,
        WorkOrderStatus.IN_PROGRESS,
        WorkOrderStatus.ON_HOLD,
    }
)
# Orders whose life is over: the order list leaves them out unless asked.
FINISHED_STATUSES = frozenset({WorkOrderStatus.CLOSED, WorkOrderStatus.CANCELLED})


class ListedOrders(models.TextChoices):
    """Which orders the work order list shows; unfinished ones unless asked."""

    UNFINISHED = "unfinished", _("Not closed or cancelled")
    FINISHED = "finished", _("Closed or cancelled")
    ALL = "all", _("All orders")


# Where execution details (checklist, time, parts, failure coding) may still be entered.
EXECUTION_STATUSES = frozenset({WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.ON_HOLD})


class WorkRequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DowntimeCause(models.TextChoices):
    FAILURE = "failure", _("Failure")
    PREVENTIVE = "preventive", _("Preventive work")
    EXTERNAL = "external", _("External cause")


class CheckStatus(models.TextChoices):
    """The result of a commissioning check's last run."""

    NOT_RUN = "not_run", _("Not run")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    ERROR = "error", _("Error")


# Commissioning checks may be prepared and changed until the order is closed or cancelled.
CHECK_EDITABLE_STATUSES = frozenset(WorkOrderStatus) - FINISHED_STATUSES


class SignOffRole(models.TextChoices):
    TECHNICIAN = "technician", _("Technician")
    CLIENT = "client", _("Client")


class Energy(models.TextChoices):
    """The energies a lockout (consignation) isolates."""

    ELECTRICAL = "electrical", _("Electrical")
    HYDRAULIC = "hydraulic", _("Hydraulic")
    PNEUMATIC = "pneumatic", _("Pneumatic")
    MECHANICAL = "mechanical", _("Mechanical")
    THERMAL = "thermal", _("Thermal")


# Isolations are confirmed once the order is planned and released before it is done.
LOCKOUT_STATUSES = frozenset({WorkOrderStatus.PLANNED, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.ON_HOLD})
