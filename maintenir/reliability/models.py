import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenir.assets.models import Equipment
from maintenir.core.choices import ALL_ROLES, MANAGING_ROLES, Action, Role
from maintenir.core.models import RestrictedModel
from maintenir.reliability.choices import EffectStage, ModificationKind, ProposalStatus
from maintenir.workorders.models import FailureCause, FailureMode, WorkOrder

PRODUCTION_ROLES = frozenset({*MANAGING_ROLES, Role.OPERATOR})


class ProductionRecord(RestrictedModel):
    """What an equipment produced over one day, for its OEE (TRS): entered by operators or managers."""

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.CASCADE, related_name="production_records"
    )
    date = models.DateField(_("date"))
    planned_hours = models.DecimalField(
        _("planned production time (h)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("The time the equipment was required to produce."),
    )
    run_hours = models.DecimalField(
        _("running time (h)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("The part of the planned time it actually ran."),
    )
    nominal_rate = models.DecimalField(
        _("nominal rate (units/h)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("What it produces in an hour at its design speed."),
    )
    output = models.PositiveIntegerField(_("units produced"))
    rejects = models.PositiveIntegerField(_("units rejected"), default=0)

    tenant_path = "equipment__site__organisation"
    changelog_parent = "equipment"
    role_permissions = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: PRODUCTION_ROLES,
        Action.CHANGE: PRODUCTION_ROLES,
        Action.DELETE: MANAGING_ROLES,
    }

    class Meta:
        ordering = ["equipment", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["equipment", "date"], name="one_production_record_per_equipment_and_day")
        ]
        verbose_name = _("production record")
        verbose_name_plural = _("production records")

    def __str__(self) -> str:
        return f"{self.equipment.code} {self.date}"

    def clean(self) -> None:
        errors = {}
        if self.planned_hours is not None and self.planned_hours > 24:
            errors["planned_hours"] = _("A day has 24 hours.")
        if self.run_hours is not None and self.planned_hours is not None and self.run_hours > self.planned_hours:
            errors["run_hours"] = _("The running time cannot exceed the planned time.")
        if self.rejects is not None and self.output is not None and self.rejects > self.output:
            errors["rejects"] = _("More units rejected than produced.")
        if errors:
            raise ValidationError(errors)


class EquipmentEvent(RestrictedModel):
    """Something an equipment reported (an error or alarm code), kept as history for reliability work."""

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.CASCADE, related_name="events"
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    code = models.CharField(_("code"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)

    tenant_path = "equipment__site__organisation"
    # Events are facts from the equipment: recorded, never edited.
    changelog_enabled = False
    role_permissions = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: MANAGING_ROLES,
        Action.CHANGE: frozenset(),
        Action.DELETE: MANAGING_ROLES,
    }

    class Meta:
        ordering = ["equipment", "-occurred_at"]
        indexes = [models.Index(fields=["equipment", "occurred_at"])]
        verbose_name = _("equipment event")
        verbose_name_plural = _("equipment events")

    def __str__(self) -> str:
        return f"{self.equipment.code} {self.code} {self.occurred_at:%Y-%m-%d %H:%M}"


class ImprovementProposal(RestrictedModel):
    """An argued improvement (améliorative) of an equipment: the argument is pre-filled from its
    history, a manager approves or rejects it, it is carried out as an improvement work order, and
    its effect is measured by the same KPIs before and after."""

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.PROTECT, related_name="improvement_proposals"
    )
    failure_mode = models.ForeignKey(
        FailureMode,
        verbose_name=_("failure mode addressed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    argument = models.TextField(_("argument"), help_text=_("Pre-filled from the equipment's last 12 months."))
    kind = models.CharField(
        _("kind of modification"), max_length=20, choices=ModificationKind.choices, default=ModificationKind.TECHNICAL
    )
    modification = models.TextField(_("proposed modification"))
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    expected_gain = models.DecimalField(
        _("expected gain per year"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Failures, downtime and repairs avoided, in money per year."),
    )
    measure_after_days = models.PositiveSmallIntegerField(
        _("effect measured after (days)"),
        default=90,
        validators=[MinValueValidator(7)],
        help_text=_("The KPIs of this many days after the work are compared with those of as many days before."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
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
    decision_note = models.TextField(_("decision note"), blank=True)
    work_order = models.OneToOneField(
        WorkOrder,
        verbose_name=_("improvement work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="improvement_proposal",
    )

    tenant_path = "equipment__site__organisation"
    role_permissions = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: frozenset({*MANAGING_ROLES, Role.TECHNICIAN}),
        Action.CHANGE: frozenset({*MANAGING_ROLES, Role.TECHNICIAN}),
        Action.DELETE: MANAGING_ROLES,
    }

    class Meta:
        ordering = ["-created"]
        verbose_name = _("improvement proposal")
        verbose_name_plural = _("improvement proposals")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("proposal-detail", args=[self.pk])

    @property
    def effect_measured_on(self) -> datetime.datetime | None:
        """When the period after the improvement work is over and its effect can be read; None until
        the work is done."""
        order = self.work_order
        if order is None or order.completed_at is None:
            return None
        return order.completed_at + datetime.timedelta(days=self.measure_after_days)

    def effect_stage(self, now: datetime.datetime | None = None) -> EffectStage | None:
        """None until the proposal is carried out as an improvement work order."""
        if self.work_order_id is None:
            return None
        measured_on = self.effect_measured_on
        if measured_on is None:
            return EffectStage.WORK_UNDER_WAY
        return EffectStage.MEASURED if (now or timezone.now()) >= measured_on else EffectStage.MEASURING

    @property
    def payback_months(self) -> float | None:
        """How long the expected gain takes to repay the cost."""
        if not self.expected_gain:
            return None
        return float(self.cost / self.expected_gain * 12)


class MonthlyFigures(models.Model):
    """What the KPIs sum for one equipment over one calendar month (in the time zone of the settings),
    kept equal to the work orders, downtimes, time entries, parts used and production records it sums
    (`monthly.refresh`), so that a year of KPIs reads twelve rows per equipment instead of its history.

    The downtime is the union of the equipment's closed intervals cut to the month; an interval still
    open, or ending after now, depends on the time the KPIs are read: its equipment's downtime is then
    computed from its intervals."""

    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    failure_seconds = models.FloatField(default=0)
    preventive_seconds = models.FloatField(default=0)
    external_seconds = models.FloatField(default=0)
    failures = models.PositiveIntegerField(default=0)
    labour_hours = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    preventive_hours = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    corrective_hours = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    parts_cost = models.DecimalField(max_digits=24, decimal_places=7, default=0)
    preventive_due = models.PositiveIntegerField(default=0)
    preventive_on_time = models.PositiveIntegerField(default=0)
    planned_hours = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    run_hours = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    nominal_output = models.FloatField(default=0)
    output = models.BigIntegerField(default=0)
    rejects = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["equipment", "month"], name="one_monthly_figures_per_month")]
        # A period over every equipment reads its months by this index.
        indexes = [models.Index(fields=["month", "equipment"], name="monthly_figures_by_month")]

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.month:%Y-%m}"


class MonthlyFailures(models.Model):
    """The failures of one equipment in one month by failure mode and cause, for the Pareto charts;
    maintained with `MonthlyFigures`."""

    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    failure_mode = models.ForeignKey(FailureMode, on_delete=models.CASCADE, null=True, related_name="+")
    failure_cause = models.ForeignKey(FailureCause, on_delete=models.CASCADE, null=True, related_name="+")
    failures = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["equipment", "month"], name="monthly_failures_by_equipment"),
            models.Index(fields=["month", "equipment"], name="monthly_failures_by_month"),
        ]

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.month:%Y-%m}: {self.failures}"
