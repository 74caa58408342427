"""Where used: the parts that fit an equipment or every equipment of a type (its spare-parts list)."""

from decimal import Decimal
from typing import Any, Self

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maintenir.assets.models import Equipment, EquipmentType
from maintenir.core.choices import Action
from maintenir.core.models import RestrictedModel
from maintenir.core.querysets import RestrictedQuerySet
from maintenir.stores.models.catalogue import Part
from maintenir.stores.models.fields import quantity_field


class PartFitQuerySet(RestrictedQuerySet):
    def restrict(self, user: Any, action: str = Action.VIEW) -> Self:
        """A client's user sees the fits of its own parts: on its own equipment, and on equipment types (the
        company's reference data, shared by every equipment of the type); never another client's equipment."""
        rows = super().restrict(user, action)
        organisation = getattr(user, "organisation_id", None)
        if action != Action.VIEW or organisation is None or user.is_superuser or user.role in self.model.self_roles:
            return rows
        if user.role not in self.model.role_permissions.get(action, frozenset()) or not user.is_active:
            return rows
        return self.filter(
            Q(part__owner=organisation) & (Q(equipment__site__organisation=organisation) | Q(equipment__isnull=True))
        )


class PartFit(RestrictedModel):
    """A part fitted on one equipment, or on every equipment of a type; a critical spare keeps a minimum in stock."""

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.CASCADE, related_name="fits")
    equipment = models.ForeignKey(
        Equipment,
        verbose_name=_("equipment"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="part_fits",
    )
    equipment_type = models.ForeignKey(
        EquipmentType,
        verbose_name=_("equipment type"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="part_fits",
    )
    quantity = quantity_field(
        _("quantity installed"), default=Decimal(1), validators=[MinValueValidator(Decimal("0.001"))]
    )
    critical = models.BooleanField(
        _("critical spare"), default=False, help_text=_("A spare to keep in stock: the equipment stops without it.")
    )
    minimum_stock = quantity_field(
        _("minimum stock"),
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("For a critical spare: how many to keep available, counting its equivalents."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = PartFitQuerySet.as_manager()  # type: ignore[misc]

    tenant_path = "equipment__site__organisation"
    role_permissions = Part.role_permissions
    changelog_parent = "part"

    class Meta:
        ordering = ["part__reference", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(equipment__isnull=False, equipment_type__isnull=True)
                | Q(equipment__isnull=True, equipment_type__isnull=False),
                name="part_fit_equipment_or_type",
            ),
            models.UniqueConstraint(
                fields=["part", "equipment"], condition=Q(equipment__isnull=False), name="part_fit_unique_equipment"
            ),
            models.UniqueConstraint(
                fields=["part", "equipment_type"],
                condition=Q(equipment_type__isnull=False),
                name="part_fit_unique_type",
            ),
        ]
        verbose_name = _("spare part fit")
        verbose_name_plural = _("spare part fits")

    def __str__(self) -> str:
        return f"{self.part.reference} → {self.equipment or self.equipment_type}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if (self.equipment_id is None) == (self.equipment_type_id is None):
            errors["equipment"] = _("Name an equipment or an equipment type, not both.")
        if self.critical and self.minimum_stock <= 0:
            errors["minimum_stock"] = _("A critical spare keeps at least one in stock.")
        if not self.critical and self.minimum_stock:
            errors["minimum_stock"] = _("Only a critical spare has a minimum stock.")
        if self.part_id is not None and self.part.owner_id is not None:
            if self.equipment is None:
                errors["equipment_type"] = _("A client's own part is listed on that client's equipment only.")
            elif self.equipment.site.organisation_id != self.part.owner_id:
                errors["equipment"] = _("A client's own part fits that client's equipment only.")
        if errors:
            raise ValidationError(errors)
