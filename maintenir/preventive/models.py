from decimal import Decimal
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenir.assets.choices import CounterKind, Technology
from maintenir.assets.models import Equipment, EquipmentType, ProductionLine, Site
from maintenir.core.choices import ALL_ROLES, MANAGING_ROLES, Action, Role
from maintenir.core.models import RestrictedModel
from maintenir.core.querysets import RestrictedQuerySet
from maintenir.devices.models import Point
from maintenir.preventive import choices
from maintenir.stores.models import Part, quantity_field
from maintenir.workorders.choices import Priority
from maintenir.workorders.models import Requirement, WorkOrder

STAFF_ROLES = frozenset({Role.ADMINISTRATOR, Role.MANAGER, Role.TECHNICIAN})


class GammeQuerySet(RestrictedQuerySet):
    """Gammes (and their versions) as reference data or client data.

    A gamme is the company's reference data: its staff read every one. To a user of a client
    organisation (an operator: clients do not browse gammes at all, they see the work done on their
    orders), a gamme is that client's data only where a trigger of one of the client's maintenance
    plans, or a training session on one of its sites, uses it; the generic ones, and those of other
    clients' plans, are not shown. Pages, API and exports all read gammes through this rule.
    """

    # Where the gamme is, from a row of this queryset's model.
    gamme_path = "pk"

    def restrict(self, user: Any, action: str = Action.VIEW) -> Self:
        rows = super().restrict(user, action)
        organisation = getattr(user, "organisation_id", None)
        if organisation is None or user.is_superuser:
            return rows
        planned = Trigger.objects.filter(plan__site__organisation_id=organisation).values("gamme_id")
        trained = TrainingSession.gammes.through.objects.filter(
            trainingsession__site__organisation_id=organisation
        ).values("gamme_id")
        return rows.filter(Q(**{f"{self.gamme_path}__in": planned}) | Q(**{f"{self.gamme_path}__in": trained}))


class GammeVersionQuerySet(GammeQuerySet):
    gamme_path = "gamme"


class Gamme(RestrictedModel):
    """A maintenance procedure, shared by every site; its steps live in numbered versions.
    Who reads which: see `GammeQuerySet`."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    equipment_type = models.ForeignKey(
        EquipmentType,
        verbose_name=_("equipment type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gammes",
        help_text=_("The kind of equipment this procedure is written for."),
    )

    # The company's procedures: clients see them through their orders, not as a catalogue.
    role_permissions: ClassVar[dict[str, frozenset[str]]] = {
        Action.VIEW: frozenset({*STAFF_ROLES, Role.OPERATOR}),
        Action.ADD: MANAGING_ROLES,
        Action.CHANGE: MANAGING_ROLES,
        Action.DELETE: MANAGING_ROLES,
    }

    objects = GammeQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["code"]
        verbose_name = _("gamme")
        verbose_name_plural = _("gammes")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("gamme-detail", args=[self.pk])


class GammeVersion(RestrictedModel):
    """A frozen list of steps; editing a gamme publishes a new version, orders keep theirs."""

    gamme = models.ForeignKey(Gamme, verbose_name=_("gamme"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    changelog_parent = "gamme"
    role_permissions = Gamme.role_permissions

    objects = GammeVersionQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["gamme", "-number"]
        constraints = [models.UniqueConstraint(fields=["gamme", "number"], name="gamme_version_unique")]
        verbose_name = _("gamme version")
        verbose_name_plural = _("gamme versions")

    def __str__(self) -> str:
        return f"{self.gamme.code} v{self.number}"


class GammeStep(models.Model):
    version = models.ForeignKey(GammeVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    instruction = models.TextField(_("instruction"))
    level = models.PositiveSmallIntegerField(
        _("maintenance level"), choices=choices.MaintenanceLevel.choices, default=choices.MaintenanceLevel.LEVEL_2
    )
    duration_minutes = models.PositiveIntegerField(_("expected duration (minutes)"), default=15)
    technology = models.CharField(_("technology"), max_length=20, choices=Technology.choices, blank=True)
    safety_notes = models.TextField(_("safety notes"), blank=True)
    unit = models.CharField(_("measurement unit"), max_length=20, blank=True)
    expected_min = models.DecimalField(_("expected minimum"), max_digits=14, decimal_places=4, null=True, blank=True)
    expected_max = models.DecimalField(_("expected maximum"), max_digits=14, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="gamme_step_position_unique")]
        verbose_name = _("gamme step")
        verbose_name_plural = _("gamme steps")

    def __str__(self) -> str:
        return f"{self.position}. {self.instruction[:60]}"

    @property
    def requires_measurement(self) -> bool:
        return bool(self.unit)

    def clean(self) -> None:
        if self.expected_min is not None and self.expected_max is not None and self.expected_min > self.expected_max:
            raise ValidationError({"expected_max": _("The maximum is below the minimum.")})
        if (self.expected_min is not None or self.expected_max is not None) and not self.unit:
            raise ValidationError({"unit": _("A measurement needs its unit.")})


class GammeStepRequirement(Requirement):
    """A qualification a gamme step requires; copied to every order generated from the gamme."""

    step = models.ForeignKey(GammeStep, on_delete=models.CASCADE, related_name="requirements")

    class Meta(Requirement.Meta):
        ordering = ["step", "pk"]
        verbose_name = _("gamme step requirement")
        verbose_name_plural = _("gamme step requirements")


class GammePart(models.Model):
    """A spare part the gamme's work is expected to use: reserved when an order following it is planned."""

    version = models.ForeignKey(GammeVersion, on_delete=models.CASCADE, related_name="parts")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="gamme_parts")
    quantity = quantity_field(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))])
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("For example: which bearing."))

    class Meta:
        ordering = ["version", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "part"], name="gamme_part_unique")]
        verbose_name = _("expected part")
        verbose_name_plural = _("expected parts")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.part.reference}"


class MaintenancePlan(RestrictedModel):
    """The preventive programme of a site or of one of its production lines."""

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="maintenance_plans")
    production_line = models.ForeignKey(
        ProductionLine,
        verbose_name=_("production line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="maintenance_plans",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=choices.PlanStatus.choices, default=choices.PlanStatus.DRAFT
    )

    tenant_path = "site__organisation"

    class Meta:
        ordering = ["site", "name"]
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("plan-detail", args=[self.pk])

    def clean(self) -> None:
        if self.production_line is not None and self.production_line.site_id != self.site_id:
            raise ValidationError({"production_line": _("This production line is on another site.")})


class Trigger(RestrictedModel):
    """When a gamme is due on an equipment (or on every equipment of a type covered by the plan)."""

    plan = models.ForeignKey(
        MaintenancePlan, verbose_name=_("maintenance plan"), on_delete=models.CASCADE, related_name="triggers"
    )
    gamme = models.ForeignKey(Gamme, verbose_name=_("gamme"), on_delete=models.PROTECT, related_name="triggers")
    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    equipment_type = models.ForeignKey(
        EquipmentType,
        verbose_name=_("equipment type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Instead of one equipment: every equipment of this type covered by the plan."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=choices.TriggerKind.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    is_active = models.BooleanField(_("active"), default=True)

    # Calendar
    interval = models.PositiveIntegerField(_("every"), null=True, blank=True, validators=[MinValueValidator(1)])
    interval_unit = models.CharField(
        _("unit"), max_length=10, choices=choices.IntervalUnit.choices, default=choices.IntervalUnit.MONTH
    )
    anchor = models.CharField(
        _("counted from"), max_length=20, choices=choices.Anchor.choices, default=choices.Anchor.SCHEDULE
    )
    start_date = models.DateField(_("first due date"), null=True, blank=True)
    skip_non_working_days = models.BooleanField(_("skip weekends and public holidays (France)"), default=False)
    tolerance_days = models.PositiveIntegerField(
        _("tolerance (days)"), default=0, help_text=_("Done later than this after its date, the work is late.")
    )

    # Counter; condition and predictive triggers watch a device point, or else this counter.
    counter_kind = models.CharField(_("counter"), max_length=20, choices=CounterKind.choices, blank=True)
    point = models.ForeignKey(
        Point,
        verbose_name=_("device point"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="triggers",
        help_text=_("For condition and predictive triggers: the measured value (else the counter)."),
    )
    counter_interval = models.DecimalField(
        _("every (counter units)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01)],
    )
    lead_percent = models.PositiveSmallIntegerField(
        _("generate at (% of the interval)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    # Condition and predictive
    operator = models.CharField(_("rule"), max_length=10, choices=choices.ConditionOperator.choices, blank=True)
    threshold = models.FloatField(_("threshold or limit"), null=True, blank=True)
    threshold_high = models.FloatField(_("upper bound of the band"), null=True, blank=True)
    hold_minutes = models.PositiveIntegerField(_("held for (minutes)"), default=0)
    horizon_days = models.PositiveIntegerField(
        _("forecast horizon (days)"), default=30, help_text=_("Generate when the limit is forecast within this.")
    )
    window_days = models.PositiveIntegerField(
        _("trend window (days)"), default=90, help_text=_("Readings of this period feed the trend.")
    )

    tenant_path = "plan__site__organisation"
    changelog_parent = "plan"
    role_permissions = MaintenancePlan.role_permissions

    class Meta:
        ordering = ["plan", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(equipment__isnull=True) ^ models.Q(equipment_type__isnull=True),
                name="trigger_targets_equipment_or_type",
            )
        ]
        verbose_name = _("trigger")
        verbose_name_plural = _("triggers")

    def __str__(self) -> str:
        target = self.equipment.code if self.equipment_id else str(self.equipment_type)  # type: ignore[union-attr]
        return f"{self.gamme.code} — {target}"

    def get_absolute_url(self) -> str:
        return reverse("trigger-detail", args=[self.pk])

    def clean(self) -> None:
        missing = []
        if self.kind in choices.CALENDAR_KINDS and not self.interval:
            missing.append("interval")
        if self.kind in choices.COUNTER_KINDS and not self.counter_interval:
            missing.append("counter_interval")
        if self.kind in choices.COUNTER_KINDS and not self.counter_kind:
            missing.append("counter_kind")
        if self.kind in choices.MEASUREMENT_KINDS and not self.counter_kind and self.point_id is None:
            missing.append("point")
        if self.kind in choices.MEASUREMENT_KINDS and not self.operator:
            missing.append("operator")
        if self.kind in choices.MEASUREMENT_KINDS and self.threshold is None:
            missing.append("threshold")
        errors: dict[str, list[Any]] = {name: [_("Required for a trigger of this kind.")] for name in missing}
        if (self.equipment_id is None) == (self.equipment_type_id is None):
            errors["equipment"] = [_("Give either one equipment or an equipment type.")]
        if self.kind == choices.TriggerKind.PREDICTIVE and self.operator not in {
            "",
            choices.ConditionOperator.ABOVE,
            choices.ConditionOperator.BELOW,
        }:
            errors["operator"] = [_("A forecast watches a limit from below (above) or from above (below).")]
        if self.operator == choices.ConditionOperator.OUTSIDE and (
            self.threshold_high is None or (self.threshold is not None and self.threshold_high < self.threshold)
        ):
            errors["threshold_high"] = [_("The band needs an upper bound above the threshold.")]
        if self.equipment_id is not None and self.plan_id is not None:
            plan = MaintenancePlan.objects.filter(pk=self.plan_id).values("site_id", "production_line_id").first()
            equipment = Equipment.objects.filter(pk=self.equipment_id).values("site_id", "production_line_id").first()
            if (
                plan
                and equipment
                and (
                    plan["site_id"] != equipment["site_id"]
                    or (plan["production_line_id"] and plan["production_line_id"] != equipment["production_line_id"])
                )
            ):
                errors["equipment"] = [_("This equipment is not covered by the plan (other site or line).")]
        if self.point is not None and self.point.device.equipment_id != self.equipment_id:
            errors["point"] = [_("The point must be one of the equipment's devices.")]
        if errors:
            raise ValidationError(errors)


class TriggerState(models.Model):
    """Where a trigger stands for one equipment: its series, its open order, what it skipped."""

    trigger = models.ForeignKey(Trigger, on_delete=models.CASCADE, related_name="states")
    equipment = models.ForeignKey(Equipment, verbose_name=_("equipment"), on_delete=models.CASCADE, related_name="+")
    anchor_date = models.DateField(_("series anchor"), null=True, blank=True)
    occurrence = models.PositiveIntegerField(_("next occurrence"), default=0)
    next_due = models.DateField(_("next due"), null=True, blank=True)
    next_counter = models.DecimalField(_("next counter value"), max_digits=14, decimal_places=2, null=True)
    open_order = models.ForeignKey(
        WorkOrder, verbose_name=_("open order"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    skipped = models.PositiveIntegerField(
        _("occurrences skipped"), default=0, help_text=_("Fell due while an order was still open.")
    )
    last_completed_at = models.DateTimeField(_("last done"), null=True, blank=True)
    forecast_at = models.DateTimeField(_("limit forecast at"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trigger", "equipment"], name="trigger_state_unique")]
        indexes = [models.Index(fields=["next_due"])]
        verbose_name = _("trigger schedule")
        verbose_name_plural = _("trigger schedules")

    def __str__(self) -> str:
        return f"{self.trigger_id}/{self.equipment_id}"


class PreventiveOrder(models.Model):
    """Why a work order was generated: its trigger, the gamme version it follows, its window."""

    work_order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="preventive_origin")
    trigger = models.ForeignKey(Trigger, on_delete=models.CASCADE, related_name="orders")
    gamme_version = models.ForeignKey(GammeVersion, verbose_name=_("gamme version"), on_delete=models.PROTECT)
    scheduled_for = models.DateField(_("scheduled for"))
    tolerance_end = models.DateField(_("end of tolerance"))
    forecast_at = models.DateTimeField(_("limit forecast at"), null=True, blank=True)

    class Meta:
        verbose_name = _("preventive origin")
        verbose_name_plural = _("preventive origins")

    def __str__(self) -> str:
        return f"{self.work_order_id} ← {self.trigger_id}"

    @property
    def is_late(self) -> bool:
        completed = self.work_order.completed_at
        return completed is not None and timezone.localdate(completed) > self.tolerance_end


class PlannedPart(models.Model):
    """An expected part of a preventive order's gamme version, and how much of it was reserved when the order
    was planned: what could not be (`short`) stays to be found, and is shown on the order."""

    preventive_order = models.ForeignKey(PreventiveOrder, on_delete=models.CASCADE, related_name="planned_parts")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    expected = quantity_field(_("expected"))
    reserved = quantity_field(_("reserved at planning"), default=Decimal(0))

    class Meta:
        ordering = ["preventive_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["preventive_order", "part"], name="planned_part_unique")]
        verbose_name = _("part planned for a preventive order")
        verbose_name_plural = _("parts planned for preventive orders")

    def __str__(self) -> str:
        return f"{self.reserved}/{self.expected} × {self.part_id}"

    @property
    def short(self) -> Decimal:
        return max(Decimal(0), self.expected - self.reserved)


class TrainingSession(RestrictedModel):
    """Operators trained on level-1 gammes (formation du personnel d'exploitation): once trained on
    a gamme, an operator may do the level-1 steps of the orders that follow it."""

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="training_sessions")
    topic = models.CharField(_("topic"), max_length=200)
    date = models.DateField(_("date"))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trainer"), on_delete=models.PROTECT, related_name="+"
    )
    gammes = models.ManyToManyField(
        Gamme,
        verbose_name=_("gammes covered"),
        related_name="training_sessions",
        help_text=_("The level-1 gammes the operators learnt to carry out."),
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("operators trained"), related_name="training_sessions"
    )
    notes = models.TextField(_("notes"), blank=True)

    tenant_path = "site__organisation"
    role_permissions: ClassVar[dict[str, frozenset[str]]] = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: STAFF_ROLES,
        Action.CHANGE: STAFF_ROLES,
        Action.DELETE: MANAGING_ROLES,
    }

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return f"{self.date} — {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("training-detail", args=[self.pk])
