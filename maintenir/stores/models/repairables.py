"""Repairables (échange standard): serial-numbered units of a part and the history that follows each serial."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maintenir.assets.models import Equipment
from maintenir.core.choices import ALL_ROLES, Action, Role
from maintenir.core.models import RestrictedModel
from maintenir.stores.choices import UnitEventKind, UnitStatus
from maintenir.stores.models.catalogue import Part, Supplier
from maintenir.stores.models.fields import STOCK_ROLES, cost_field, owner_field
from maintenir.stores.models.stock import Location

# Technicians fit and remove units; their state changes only through the services, which add the history.
UNIT_PERMISSIONS: dict[str, frozenset[str]] = {
    Action.VIEW: ALL_ROLES,
    Action.ADD: STOCK_ROLES,
    Action.CHANGE: STOCK_ROLES,
    Action.DELETE: frozenset({Role.ADMINISTRATOR}),
}


class RepairableUnit(RestrictedModel):
    """One serial-numbered unit of a repairable part: in stock at a location, fitted on an equipment, failed,
    at the repairer, or scrapped."""

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="units")
    serial_number = models.CharField(_("serial number"), max_length=100)
    status = models.CharField(_("status"), max_length=20, choices=UnitStatus.choices, default=UnitStatus.IN_STOCK)
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        help_text=_("Where it is kept while in stock."),
    )
    equipment = models.ForeignKey(
        Equipment,
        verbose_name=_("equipment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repairable_units",
        help_text=_("What it is fitted on."),
    )
    unit_cost = cost_field(_("book value"), help_text=_("What it cost when bought, or its last repair."))
    owner = owner_field()

    tenant_path = "owner"
    role_permissions = UNIT_PERMISSIONS

    class Meta:
        ordering = ["part__reference", "serial_number"]
        constraints = [
            models.UniqueConstraint(fields=["part", "serial_number"], name="repairable_unit_serial_unique"),
            # Where the unit is agrees with its status: a location in stock, an equipment when fitted.
            models.CheckConstraint(
                condition=models.Q(status=UnitStatus.IN_STOCK, location__isnull=False)
                | (~models.Q(status=UnitStatus.IN_STOCK) & models.Q(location__isnull=True)),
                name="repairable_unit_location_in_stock",
            ),
            models.CheckConstraint(
                condition=models.Q(status=UnitStatus.FITTED, equipment__isnull=False)
                | (~models.Q(status=UnitStatus.FITTED) & models.Q(equipment__isnull=True)),
                name="repairable_unit_equipment_when_fitted",
            ),
        ]
        verbose_name = _("repairable unit")
        verbose_name_plural = _("repairable units")

    def __str__(self) -> str:
        return f"{self.part.reference} S/N {self.serial_number}"

    def get_absolute_url(self) -> str:
        return reverse("repairable-detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.part_id is not None:
            if not self.part.is_repairable:
                errors["part"] = _("This part is not repairable: mark it so first.")
            if self.part.owner_id != self.owner_id:
                errors["owner"] = _("A unit belongs to whoever owns its part.")
        fitted_on = self.equipment.site.organisation_id if self.equipment is not None else self.owner_id
        if self.owner_id is not None and fitted_on != self.owner_id:
            errors["equipment"] = _("A client's own unit is fitted on that client's equipment only.")
        if self.owner_id is not None and self.location is not None and self.location.owner_id != self.owner_id:
            errors["location"] = _("A client's own part is kept only in that client's locations.")
        if errors:
            raise ValidationError(errors)


class RepairableEvent(RestrictedModel):
    """One step of a unit's history, written by the transition that made it; never changed once written."""

    unit = models.ForeignKey(RepairableUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=UnitEventKind.choices)
    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    work_order = models.CharField(_("work order"), max_length=100, blank=True)
    repairer = models.ForeignKey(
        Supplier, verbose_name=_("repairer"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    repairer_name = models.CharField(_("repairer"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    cost = cost_field(_("cost"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    tenant_path = "unit__owner"
    role_permissions = UNIT_PERMISSIONS
    changelog_parent = "unit"

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("repairable unit event")
        verbose_name_plural = _("repairable unit events")

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError(_("A unit's history is never rewritten."))
        super().save(*args, **kwargs)
