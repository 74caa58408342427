import base64
import binascii
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maintenir.assets.models import Equipment, Site
from maintenir.certification.models import ActivityType
from maintenir.core.choices import ALL_ROLES, MANAGING_ROLES, STAFF_ROLES, Action, Role
from maintenir.core.models import NamedInTwoLanguages, RestrictedModel
from maintenir.devices.drivers import DRIVERS
from maintenir.devices.models import Point
from maintenir.people.choices import SkillLevel
from maintenir.people.models import STAFF_PERMISSIONS, HabilitationType, Skill, Team, Technician
from maintenir.stores.models import Location, Part, StockMovement, quantity_field
from maintenir.workorders.choices import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    CheckStatus,
    DowntimeCause,
    Energy,
    Priority,
    SignOffRole,
    WorkOrderStatus,
    WorkOrderType,
    WorkRequestStatus,
)

FIELD_ROLES = frozenset({*MANAGING_ROLES, Role.TECHNICIAN})
# Roles that may write execution details; the services also require being assigned.
EXECUTION_ROLES = frozenset({*FIELD_ROLES, Role.OPERATOR})


class CodedEntry(NamedInTwoLanguages, RestrictedModel):
    """An entry of an ISO 14224 coded list; managers extend the seeded lists."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class FailureMode(CodedEntry):
    """What was observed (ISO 14224 failure mode)."""

    class Meta(CodedEntry.Meta):
        verbose_name = _("failure mode")
        verbose_name_plural = _("failure modes")


class FailureMechanism(CodedEntry):
    """The physical process that led to the failure."""

    class Meta(CodedEntry.Meta):
        verbose_name = _("failure mechanism")
        verbose_name_plural = _("failure mechanisms")


class FailureCause(CodedEntry):
    """The root cause: design, installation, operation/maintenance, management."""

    class Meta(CodedEntry.Meta):
        verbose_name = _("failure cause")
        verbose_name_plural = _("failure causes")


class Remedy(CodedEntry):
    """The maintenance activity that restored the item."""

    class Meta(CodedEntry.Meta):
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")


class DetectionMethod(CodedEntry):
    """How the failure was found."""

    class Meta(CodedEntry.Meta):
        verbose_name = _("detection method")
        verbose_name_plural = _("detection methods")


# Shown as the reporter of the requests Maintenir raises itself.
SYSTEM_REPORTER = _("Maintenir (automatic)")


# Checked by the forms and the API, not the database: a symptom or a note is a few lines, never a dumped file.
SYMPTOM_MAX_LENGTH = 4000
TEXT_MAX_LENGTH = 10_000


class WorkRequest(RestrictedModel):
    """A fault or need reported by a client user or an operator, awaiting a manager's decision."""

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="work_requests")
    equipment = models.ForeignKey(
        Equipment,
        verbose_name=_("equipment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_requests",
    )
    symptom = models.TextField(_("symptom"))
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Priority.choices, default=Priority.NORMAL)
    equipment_stopped = models.BooleanField(
        _("equipment stopped"), default=False, help_text=_("The equipment is not running because of this fault.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=WorkRequestStatus.choices, default=WorkRequestStatus.SUBMITTED
    )
    # Empty when Maintenir raised the request itself (a device that stopped answering…).
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_requests",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    work_order = models.OneToOneField(
        "WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_request",
    )

    tenant_path = "site__organisation"
    role_permissions: ClassVar[dict[str, frozenset[str]]] = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: ALL_ROLES,
        Action.CHANGE: MANAGING_ROLES,
        Action.DELETE: MANAGING_ROLES,
    }

    class Meta:
        ordering = ["-created"]
        indexes = [
            # The request list, newest first, whole or for one site, and the requests awaiting a decision.
            models.Index(fields=["created", "id"], name="workrequest_list"),
            models.Index(fields=["site", "created", "id"], name="workrequest_site_list"),
            models.Index(
                fields=["created", "id"],
                condition=models.Q(status=WorkRequestStatus.SUBMITTED),
                name="workrequest_awaiting",
            ),
        ]
        verbose_name = _("work request")
        verbose_name_plural = _("work requests")

    def __str__(self) -> str:
        return f"{self.reference} — {self.symptom[:60]}"

    @property
    def reference(self) -> str:
        return f"DI-{self.pk:06d}" if self.pk else "DI-new"

    def get_absolute_url(self) -> str:
        return reverse("workrequest-detail", args=[self.pk])

    def clean(self) -> None:
        if self.equipment is not None and self.site_id is not None and self.equipment.site_id != self.site_id:
            raise ValidationError({"equipment": _("This equipment is on another site.")})


class WorkRequestPhoto(RestrictedModel):
    work_request = models.ForeignKey(WorkRequest, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="requests/%Y/%m/")

    tenant_path = "work_request__site__organisation"
    changelog_parent = "work_request"
    role_permissions = WorkRequest.role_permissions

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        # The file's name, not where the storage put it (requests/2026/12/…).
        return PurePosixPath(self.image.name).name if self.image.name else ""


class WorkOrder(RestrictedModel):
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="work_orders")
    equipment = models.ForeignKey(
        Equipment,
        verbose_name=_("equipment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
    )
    work_type = models.CharField(
        _("type"), max_length=30, choices=WorkOrderType.choices, default=WorkOrderType.CORRECTIVE
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(
        _("status"), max_length=20, choices=WorkOrderStatus.choices, default=WorkOrderStatus.REQUESTED
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    estimated_hours = models.DecimalField(
        _("estimated hours"), max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("assignees"), blank=True, related_name="assigned_work_orders"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True, help_text=_("What was found and done."))
    failure_mode = models.ForeignKey(
        FailureMode, verbose_name=_("failure mode"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    failure_mechanism = models.ForeignKey(
        FailureMechanism,
        verbose_name=_("failure mechanism"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    failure_cause = models.ForeignKey(
        FailureCause, verbose_name=_("failure cause"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    remedy = models.ForeignKey(
        Remedy, verbose_name=_("remedy"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detection_method = models.ForeignKey(
        DetectionMethod,
        verbose_name=_("detection method"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A corrective order raised from a measurement out of its tolerance: that result is followed up.
    follow_up_of = models.ForeignKey(
        "ChecklistStep",
        verbose_name=_("follow-up of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text=_("The out-of-tolerance measurement this order follows up."),
    )

    tenant_path = "site__organisation"
    role_permissions: ClassVar[dict[str, frozenset[str]]] = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: FIELD_ROLES,
        Action.CHANGE: EXECUTION_ROLES,
        Action.DELETE: frozenset({Role.ADMINISTRATOR}),
    }

    class Meta:
        ordering = ["priority", "due_date", "pk"]
        indexes = [
            models.Index(fields=["status", "priority"]),
            models.Index(fields=["due_date"]),
            # The order list in its ordering (due dates missing last, as PostgreSQL sorts them), whole, for one
            # site or one equipment, and its default, the unfinished orders, from a partial index: any page of it
            # is read from an index, whatever the number of orders.
            models.Index(fields=["priority", "due_date", "id"], name="workorder_list"),
            models.Index(fields=["site", "priority", "due_date", "id"], name="workorder_site_list"),
            models.Index(fields=["equipment", "priority", "due_date", "id"], name="workorder_equipment_list"),
            models.Index(
                fields=["priority", "due_date", "id"],
                condition=~models.Q(status__in=sorted(FINISHED_STATUSES)),
                name="workorder_unfinished_list",
            ),
            # The home pages read open orders only: overdue, to schedule, the backlog by priority.
            models.Index(
                fields=["due_date", "priority", "id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="workorder_open_due",
            ),
            # The calendar and "My day": orders planned in a window.
            models.Index(fields=["planned_start"], name="workorder_planned_start"),
            # Every column the reliability KPIs read from an order, after its equipment: a site's
            # orders, scattered over the table, are counted from the index alone.
            models.Index(
                fields=[
                    "equipment",
                    "work_type",
                    "status",
                    "created",
                    "due_date",
                    "completed_at",
                    "estimated_hours",
                    "id",
                ],
                name="workorder_kpi_covering",
            ),
        ]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def reference(self) -> str:
        return f"OT-{self.pk:06d}" if self.pk else "OT-new"

    def assignee_labels(self) -> list[str]:
        """The assignees, a trainee with their tutor: "Tom (trainee, with tutor Alice)".

        Reads `assignees` and `supervisions__tutor` once each: prefetch them for a list of orders.
        """
        tutors = {supervision.trainee_id: supervision.tutor for supervision in self.supervisions.all()}
        return [
            _("%(trainee)s (trainee, with tutor %(tutor)s)") % {"trainee": person, "tutor": tutors[person.pk]}
            if person.pk in tutors
            else str(person)
            for person in self.assignees.all()
        ]

    def get_absolute_url(self) -> str:
        return reverse("workorder-detail", args=[self.pk])

    def clean(self) -> None:
        if self.equipment is not None and self.site_id is not None and self.equipment.site_id != self.site_id:
            raise ValidationError({"equipment": _("This equipment is on another site.")})
        if self.follow_up_of is not None and self.follow_up_of.work_order.site_id != self.site_id:
            raise ValidationError({"follow_up_of": _("The measurement followed up is on another site.")})


class WorkOrderTransition(models.Model):
    """One step of a work order through its state machine: who moved it, when, why."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=20, choices=WorkOrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=WorkOrderStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    time = models.DateTimeField(_("time"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["time", "pk"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


# The steps whose measured value is outside their expected range, as ChecklistStep.out_of_range says.
OUT_OF_RANGE = models.Q(measured_value__lt=models.F("expected_min")) | models.Q(
    measured_value__gt=models.F("expected_max")
)


class ChecklistStep(RestrictedModel):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    instruction = models.TextField(_("instruction"))
    # From the gamme of a preventive order: NF X 60-000 level (1 = operator work) and safety notes.
    level = models.PositiveSmallIntegerField(_("maintenance level"), null=True, blank=True)
    safety_notes = models.TextField(_("safety notes"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    requires_measurement = models.BooleanField(_("measurement required"), default=False)
    expected_min = models.DecimalField(_("expected minimum"), max_digits=14, decimal_places=4, null=True, blank=True)
    expected_max = models.DecimalField(_("expected maximum"), max_digits=14, decimal_places=4, null=True, blank=True)
    measured_value = models.DecimalField(_("measured value"), max_digits=14, decimal_places=4, null=True, blank=True)
    is_done = models.BooleanField(_("done"), default=False)
    remark = models.TextField(_("remark"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    tenant_path = "work_order__site__organisation"
    changelog_parent = "work_order"
    role_permissions = WorkOrder.role_permissions

    class Meta:
        ordering = ["work_order", "position"]
        constraints = [models.UniqueConstraint(fields=["work_order", "position"], name="step_position_unique")]
        verbose_name = _("checklist step")
        verbose_name_plural = _("checklist steps")

    def __str__(self) -> str:
        return f"{self.position}. {self.instruction[:60]}"

    def clean(self) -> None:
        if self.expected_min is not None and self.expected_max is not None and self.expected_min > self.expected_max:
            raise ValidationError({"expected_max": _("The maximum is below the minimum.")})

    @property
    def out_of_range(self) -> bool:
        """A measured value outside its expected range is flagged for the manager (OUT_OF_RANGE in queries)."""
        if self.measured_value is None:
            return False
        return (self.expected_min is not None and self.measured_value < self.expected_min) or (
            self.expected_max is not None and self.measured_value > self.expected_max
        )


class LockoutStep(RestrictedModel):
    """One isolation of the order's lockout (consignation): confirmed before the work starts, released
    before it is done. The manager prepares the steps; the technician on site confirms and releases them."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="lockout_steps")
    position = models.PositiveSmallIntegerField(_("position"))
    isolation_point = models.CharField(
        _("isolation point"), max_length=200, help_text=_("e.g. Q12 main switch of press P-200.")
    )
    energy = models.CharField(_("energy"), max_length=20, choices=Energy.choices, default=Energy.ELECTRICAL)
    action = models.TextField(_("action"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    tenant_path = "work_order__site__organisation"
    changelog_parent = "work_order"
    role_permissions: ClassVar[dict[str, frozenset[str]]] = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: MANAGING_ROLES,
        Action.CHANGE: FIELD_ROLES,
        Action.DELETE: MANAGING_ROLES,
    }

    class Meta:
        ordering = ["work_order", "position"]
        constraints = [models.UniqueConstraint(fields=["work_order", "position"], name="lockout_step_position_unique")]
        verbose_name = _("lockout step")
        verbose_name_plural = _("lockout steps")

    def __str__(self) -> str:
        return f"{self.position}. {self.isolation_point}"

    @property
    def is_locked(self) -> bool:
        """Confirmed and not yet released: the energy is isolated."""
        return self.confirmed_at is not None and self.released_at is None


class TimeEntry(RestrictedModel):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="time_entries")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="time_entries"
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    tenant_path = "work_order__site__organisation"
    changelog_parent = "work_order"
    role_permissions = WorkOrder.role_permissions

    class Meta:
        ordering = ["work_order", "date", "pk"]
        # The labour KPIs read an order's hours by date from the index alone.
        indexes = [models.Index(fields=["work_order", "date", "hours"], name="timeentry_kpi_covering")]
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")

    def __str__(self) -> str:
        return f"{self.technician} {self.hours} h"

    def clean(self) -> None:
        if self.hours is not None and self.hours > 24:
            raise ValidationError({"hours": _("A time entry cannot exceed 24 hours in a day.")})


class PartUsage(RestrictedModel):
    """A part used on the order: from stock (`part` and its issue `movement`), or free text for a non-stock item."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="parts")
    description = models.CharField(_("part"), max_length=200)
    part = models.ForeignKey(
        Part, verbose_name=_("stock part"), on_delete=models.PROTECT, null=True, blank=True, related_name="usages"
    )
    movement = models.OneToOneField(
        StockMovement,
        verbose_name=_("stock movement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="usage",
    )
    instead_of = models.ForeignKey(
        Part,
        verbose_name=_("instead of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The part the work called for, when an equivalent was fitted."),
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )

    tenant_path = "work_order__site__organisation"
    changelog_parent = "work_order"
    role_permissions = WorkOrder.role_permissions

    class Meta:
        ordering = ["work_order", "pk"]
        # The cost KPIs read an order's parts from the index alone.
        indexes = [
            models.Index(fields=["work_order", "created", "quantity", "unit_cost"], name="partusage_kpi_covering")
        ]
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"


class PartReservation(RestrictedModel):
    """Stock promised to an order until it is issued, or released when the order ends without it."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="reservations"
    )
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="reservations")
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="reservations"
    )
    quantity = quantity_field(_("still reserved"), validators=[MinValueValidator(0)])

    tenant_path = "work_order__site__organisation"
    changelog_parent = "work_order"
    role_permissions = WorkOrder.role_permissions

    class Meta:
        ordering = ["work_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "part", "location"], name="reservation_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="reservation_not_negative"),
        ]
        verbose_name = _("part reservation")
        verbose_name_plural = _("part reservations")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.part.reference} @ {self.location}"


class Downtime(RestrictedModel):
    """An interval when the equipment was down, with its cause; open while `ended_at` is empty."""

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.CASCADE, related_name="downtimes"
    )
    work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="downtimes",
    )
    cause = models.CharField(_("cause"), max_length=20, choices=DowntimeCause.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    tenant_path = "equipment__site__organisation"
    changelog_parent = "equipment"
    role_permissions = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: EXECUTION_ROLES,
        Action.CHANGE: EXECUTION_ROLES,
        Action.DELETE: MANAGING_ROLES,
    }

    class Meta:
        ordering = ["-started_at"]
        # In the order the KPIs' window reads an equipment's intervals, with what it computes from them.
        indexes = [
            models.Index(fields=["equipment", "started_at", "id", "ended_at", "cause"], name="downtime_kpi_covering"),
            # The intervals still open or ending later: their equipment's downtime is computed, not read.
            models.Index(fields=["ended_at"], name="downtime_ended_at"),
        ]
        verbose_name = _("downtime")
        verbose_name_plural = _("downtimes")

    def __str__(self) -> str:
        return f"{self.equipment.code} {self.get_cause_display()} {self.started_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.ended_at is not None and self.started_at is not None and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": _("The end is before the start.")})

    @property
    def duration_hours(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds() / 3600


class SignOff(RestrictedModel):
    """The technician's or the client's acceptance of the work: a typed name and optionally a drawn signature."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="sign_offs")
    role = models.CharField(_("signed as"), max_length=20, choices=SignOffRole.choices)
    name = models.CharField(_("name"), max_length=150)
    signature = models.TextField(_("drawn signature"), blank=True, help_text=_("PNG image as a data URL."))
    signed_at = models.DateTimeField(_("signed at"))
    reservations = models.TextField(
        _("reservations"),
        blank=True,
        help_text=_("What is accepted with reservations (réserves): the checks that did not pass, and why."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    tenant_path = "work_order__site__organisation"
    changelog_parent = "work_order"
    changelog_exclude = RestrictedModel.changelog_exclude | {"signature"}
    role_permissions = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: ALL_ROLES,
        Action.CHANGE: frozenset(),
        Action.DELETE: MANAGING_ROLES,
    }

    class Meta:
        ordering = ["work_order", "signed_at"]
        constraints = [models.UniqueConstraint(fields=["work_order", "role"], name="one_sign_off_per_role")]
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"

    def clean(self) -> None:
        if self.signature and not is_png_data_url(self.signature):
            raise ValidationError({"signature": _("The drawn signature must be a PNG data URL.")})


class CommissioningCheck(RestrictedModel):
    """A live check of a commissioning order: optionally command a point, then wait for a point to read
    the expected value (or within a range) before the timeout. Its runs are kept; the last one counts."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="commissioning_checks")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("check"), max_length=200, help_text=_("e.g. Lighting circuit 1 switches on."))
    point = models.ForeignKey(
        Point, verbose_name=_("point read"), on_delete=models.PROTECT, related_name="+", help_text=_("Its status.")
    )
    command_point = models.ForeignKey(
        Point,
        verbose_name=_("point commanded"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Written first, if set (e.g. the circuit's on/off command)."),
    )
    command_value = models.FloatField(_("value written"), null=True, blank=True)
    expected_value = models.FloatField(_("expected value"), null=True, blank=True)
    tolerance = models.FloatField(
        _("tolerance"), default=0, validators=[MinValueValidator(0)], help_text=_("± around the expected value.")
    )
    expected_min = models.FloatField(_("expected minimum"), null=True, blank=True)
    expected_max = models.FloatField(_("expected maximum"), null=True, blank=True)
    timeout = models.FloatField(
        _("within (s)"),
        default=5,
        validators=[MinValueValidator(0.1), MaxValueValidator(60)],
        help_text=_("How long the point may take to read as expected."),
    )
    last_run = models.ForeignKey(
        "CommissioningRun",
        verbose_name=_("last run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    tenant_path = "work_order__site__organisation"
    changelog_parent = "work_order"
    # A run is recorded as a run, not as an edit of the check.
    changelog_exclude = RestrictedModel.changelog_exclude | {"last_run"}
    role_permissions = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: FIELD_ROLES,
        Action.CHANGE: FIELD_ROLES,
        Action.DELETE: FIELD_ROLES,
    }

    class Meta:
        ordering = ["work_order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "position"], name="commissioning_check_position_unique")
        ]
        verbose_name = _("commissioning check")
        verbose_name_plural = _("commissioning checks")

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("workorder-detail", args=[self.work_order_id]) + "#commissioning"

    @property
    def status(self) -> str:
        return self.last_run.status if self.last_run is not None else CheckStatus.NOT_RUN

    def get_status_display(self) -> str:
        return str(CheckStatus(self.status).label)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        order = self.work_order if self.work_order_id else None
        if order is not None and order.work_type != WorkOrderType.INSTALLATION:
            errors["work_order"] = _("Commissioning checks belong to installation and commissioning orders.")
        points = {
            name: getattr(self, name) for name in ("point", "command_point") if getattr(self, f"{name}_id") is not None
        }
        for name, point in points.items():
            if order is None:
                continue
            if order.equipment is None:
                errors[name] = _("This order has no equipment: its checks read the equipment's devices.")
            elif not on_equipment(point, order.equipment):
                errors[name] = _("This point is not on a device of %(equipment)s or of its sub-equipment.") % {
                    "equipment": order.equipment
                }
            elif point.device.protocol not in DRIVERS:
                errors[name] = _("Maintenir cannot read %(protocol)s points on demand: their devices publish them.") % {
                    "protocol": point.device.get_protocol_display()
                }
        command = points.get("command_point")
        if command is not None and not command.writable and "command_point" not in errors:
            errors["command_point"] = _("This point is not writable.")
        if command is not None and self.command_value is None:
            errors["command_value"] = _("Say which value to write.")
        if command is None and self.command_value is not None:
            errors["command_point"] = _("Choose the point to write the value to.")
        has_range = self.expected_min is not None or self.expected_max is not None
        if self.expected_value is not None and has_range:
            errors["expected_value"] = _("Expect either a value or a range, not both.")
        elif self.expected_value is None and not has_range:
            errors["expected_value"] = _("Say what the point should read: a value, or a minimum and/or a maximum.")
        if self.expected_min is not None and self.expected_max is not None and self.expected_min > self.expected_max:
            errors["expected_max"] = _("The maximum is below the minimum.")
        if errors:
            raise ValidationError(errors)


def on_equipment(point: Point, equipment: Equipment) -> bool:
    """Whether the point is on a device of this equipment or of one of its sub-equipment."""
    own = point.device.equipment
    return own.pk == equipment.pk or equipment.pk in own.ancestor_ids()


class CommissioningRun(RestrictedModel):
    """One run of a commissioning check: what was read, whether it passed, who ran it and when."""

    commissioning_check = models.ForeignKey(
        CommissioningCheck, verbose_name=_("check"), on_delete=models.CASCADE, related_name="runs"
    )
    status = models.CharField(_("result"), max_length=20, choices=CheckStatus.choices)
    measured_value = models.FloatField(_("measured value"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+"
    )
    run_at = models.DateTimeField(_("run at"))

    tenant_path = "commissioning_check__work_order__site__organisation"
    changelog_parent = "commissioning_check.work_order"
    # A run is a fact: recorded, never changed.
    role_permissions = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: FIELD_ROLES,
        Action.CHANGE: frozenset(),
        Action.DELETE: frozenset(),
    }

    class Meta:
        ordering = ["commissioning_check", "-run_at", "-pk"]
        verbose_name = _("commissioning check run")
        verbose_name_plural = _("commissioning check runs")

    def __str__(self) -> str:
        return f"{self.commissioning_check_id}: {self.get_status_display()}"


class OnCallCall(RestrictedModel):
    """A call of the technician on call about an urgent request outside working hours.

    Not acknowledged in time, it is escalated: the next rank of the roster is called (a new call), or the
    managers are alerted once the roster is exhausted. It lives here, not in `people`, because it names
    the work request."""

    work_request = models.ForeignKey(
        WorkRequest, verbose_name=_("work request"), on_delete=models.CASCADE, related_name="on_call_calls"
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField(_("roster week"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    technician = models.ForeignKey(
        Technician, verbose_name=_("technician"), on_delete=models.CASCADE, related_name="on_call_calls"
    )
    called_at = models.DateTimeField(_("called at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    managers_alerted = models.BooleanField(
        _("managers alerted"), default=False, help_text=_("Nobody was left on the roster when it was escalated.")
    )

    tenant_path = "work_request__site__organisation"
    changelog_parent = "work_request"
    # The maintenance company's own business: client users do not see who is on call.
    role_permissions: ClassVar[dict[str, frozenset[str]]] = {
        Action.VIEW: STAFF_ROLES,
        Action.ADD: frozenset(),
        Action.CHANGE: frozenset(),
        Action.DELETE: frozenset(),
    }

    class Meta:
        ordering = ["-called_at", "-pk"]
        indexes = [models.Index(fields=["acknowledged_at", "escalated_at"], name="on_call_call_open_idx")]
        verbose_name = _("on-call call")
        verbose_name_plural = _("on-call calls")

    def __str__(self) -> str:
        return f"{self.work_request.reference} #{self.rank}: {self.technician}"


PNG_DATA_URL_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def is_png_data_url(value: str) -> bool:
    """True for a base64 data URL whose content really is a PNG image."""
    if not value.startswith(PNG_DATA_URL_PREFIX):
        return False
    try:
        content = base64.b64decode(value.removeprefix(PNG_DATA_URL_PREFIX), validate=True)
    except binascii.Error:
        return False
    return content.startswith(PNG_MAGIC)


# --- Qualifications the work requires ---------------------------------------------------------


class Requirement(RestrictedModel):
    """One qualification a piece of work requires: a skill at a minimum level, a habilitation, or a CCP.

    `workorders.qualifications` is where a technician is checked against them.
    """

    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    min_level = models.PositiveSmallIntegerField(_("minimum level"), choices=SkillLevel.choices, null=True, blank=True)
    habilitation_type = models.ForeignKey(
        HabilitationType,
        verbose_name=_("habilitation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ccp = models.ForeignKey(
        ActivityType, verbose_name=_("CCP"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    role_permissions = STAFF_PERMISSIONS

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(skill__isnull=False, habilitation_type__isnull=True, ccp__isnull=True)
                | models.Q(skill__isnull=True, habilitation_type__isnull=False, ccp__isnull=True)
                | models.Q(skill__isnull=True, habilitation_type__isnull=True, ccp__isnull=False),
                name="%(app_label)s_%(class)s_exactly_one",
            ),
        ]

    def __str__(self) -> str:
        if self.skill_id is not None:
            return f"{self.skill} ({self.get_min_level_display()})"
        return str(self.habilitation_type if self.habilitation_type_id is not None else self.ccp)

    def clean(self) -> None:
        chosen = [self.skill_id, self.habilitation_type_id, self.ccp_id]
        if sum(value is not None for value in chosen) != 1:
            raise ValidationError(_("A requirement is exactly one of: a skill, a habilitation, a CCP."))
        if self.skill_id is not None and self.min_level is None:
            raise ValidationError({"min_level": _("Give the minimum level of the skill.")})
        if self.skill_id is None and self.min_level is not None:
            raise ValidationError({"min_level": _("Only a skill has a level.")})


class WorkOrderRequirement(Requirement):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="requirements")
    source = models.CharField(
        _("source"), max_length=100, blank=True, help_text=_("Where it was copied from, e.g. a gamme step.")
    )

    # No `changelog_parent`: the order's change log is shown to its client, the requirements are staff records.
    tenant_path = "work_order__site__organisation"

    class Meta(Requirement.Meta):
        ordering = ["work_order", "pk"]
        verbose_name = _("work-order requirement")
        verbose_name_plural = _("work-order requirements")


class WorkTypeRequirement(Requirement):
    """A requirement of every order of a type: a catalogue the managers keep."""

    work_type = models.CharField(_("type"), max_length=30, choices=WorkOrderType.choices)

    class Meta(Requirement.Meta):
        ordering = ["work_type", "pk"]
        verbose_name = _("work-type requirement")
        verbose_name_plural = _("work-type requirements")


class Supervision(RestrictedModel):
    """A trainee assigned to an order with the qualified technician who tutors them there."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="supervisions")
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trainee"), on_delete=models.CASCADE, related_name="+"
    )
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tutor"), on_delete=models.CASCADE, related_name="+"
    )

    tenant_path = "work_order__site__organisation"
    changelog_parent = "work_order"
    role_permissions = WorkOrder.role_permissions

    class Meta:
        ordering = ["work_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["work_order", "trainee"], name="supervision_trainee_unique")]
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")

    def __str__(self) -> str:
        return f"{self.trainee} / {self.tutor}"
