"""The catalogue: parts, their functional equivalences and supersessions, suppliers and their prices."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maintenir.assets.choices import Criticality, Technology
from maintenir.core.choices import ALL_ROLES, MANAGING_ROLES, Action
from maintenir.core.models import RestrictedModel
from maintenir.stores.choices import Unit
from maintenir.stores.models.fields import PURCHASING_PERMISSIONS, cost_field, owner_field, quantity_field


class Part(RestrictedModel):
    """A catalogue entry: what is ordered, stored and fitted, under the company's internal reference."""

    reference = models.CharField(_("internal reference"), max_length=50, unique=True)
    description = models.CharField(_("description"), max_length=200)
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    manufacturer_reference = models.CharField(_("manufacturer part number"), max_length=100, blank=True)
    unit = models.CharField(_("unit of measure"), max_length=10, choices=Unit.choices, default=Unit.PIECE)
    category = models.CharField(_("category"), max_length=100, blank=True)
    technology = models.CharField(_("technology"), max_length=20, choices=Technology.choices, blank=True)
    criticality = models.CharField(
        _("criticality"), max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    barcode = models.CharField(
        _("barcode"), max_length=100, blank=True, db_index=True, help_text=_("The value of its barcode or QR code.")
    )
    photo = models.ImageField(_("photo"), upload_to="parts/%Y/%m/", blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        help_text=_("The model that replaces this obsolete one."),
    )
    is_repairable = models.BooleanField(
        _("repairable"),
        default=False,
        help_text=_("Serial-numbered units are sent for repair and come back to stock (échange standard)."),
    )
    owner = owner_field()

    tenant_path = "owner"
    role_permissions = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: MANAGING_ROLES,
        Action.CHANGE: MANAGING_ROLES,
        Action.DELETE: MANAGING_ROLES,
    }

    class Meta:
        ordering = ["reference"]
        verbose_name = _("part")
        verbose_name_plural = _("parts")

    def __str__(self) -> str:
        return f"{self.reference} — {self.description}"

    def get_absolute_url(self) -> str:
        return reverse("part-detail", args=[self.pk])

    def clean(self) -> None:
        if self.superseded_by_id is not None and self.superseded_by_id == self.pk:
            raise ValidationError({"superseded_by": _("A part cannot supersede itself.")})


class Interchangeability(RestrictedModel):
    """`replacement` may be fitted where `part` is needed (under `condition`); both ways when `mutual`."""

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.CASCADE, related_name="replacements")
    replacement = models.ForeignKey(
        Part, verbose_name=_("replacement"), on_delete=models.CASCADE, related_name="replaces"
    )
    mutual = models.BooleanField(
        _("interchangeable both ways"), default=False, help_text=_("The part may also replace its replacement.")
    )
    condition = models.CharField(
        _("condition"), max_length=200, blank=True, help_text=_("For example: with adapter kit X.")
    )

    tenant_path = "part__owner"
    role_permissions = Part.role_permissions
    changelog_parent = "part"

    class Meta:
        ordering = ["part", "replacement"]
        constraints = [
            models.UniqueConstraint(fields=["part", "replacement"], name="interchangeability_unique"),
            models.CheckConstraint(
                condition=~models.Q(part=models.F("replacement")), name="interchangeability_not_itself"
            ),
        ]
        verbose_name = _("functional equivalence")
        verbose_name_plural = _("functional equivalences")

    def __str__(self) -> str:
        arrow = "⇄" if self.mutual else "→"
        return f"{self.part.reference} {arrow} {self.replacement.reference}"

    def clean(self) -> None:
        if self.part_id is not None and self.part_id == self.replacement_id:
            raise ValidationError({"replacement": _("A part cannot replace itself.")})


class Supplier(RestrictedModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    role_permissions = PURCHASING_PERMISSIONS

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supplier-detail", args=[self.pk])


class SupplierPart(RestrictedModel):
    """What a supplier sells a part as: its reference, price, minimum order and lead time."""

    supplier = models.ForeignKey(Supplier, verbose_name=_("supplier"), on_delete=models.CASCADE, related_name="parts")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.CASCADE, related_name="supplier_parts")
    supplier_reference = models.CharField(_("supplier's reference"), max_length=100)
    price = cost_field(_("unit price"), validators=[MinValueValidator(0)])
    minimum_order = quantity_field(
        _("minimum order"), default=Decimal(1), validators=[MinValueValidator(Decimal("0.001"))]
    )
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=0)

    role_permissions = PURCHASING_PERMISSIONS
    changelog_parent = "supplier"

    class Meta:
        ordering = ["part", "price"]
        constraints = [models.UniqueConstraint(fields=["supplier", "part"], name="supplier_part_unique")]
        verbose_name = _("supplier's part")
        verbose_name_plural = _("suppliers' parts")

    def __str__(self) -> str:
        return f"{self.supplier} {self.supplier_reference}"
