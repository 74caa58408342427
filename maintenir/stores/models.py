"""Spare parts: the catalogue and its equivalences, suppliers, locations, and stock kept as a ledger and balances."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maintenir.assets.choices import Criticality, Technology
from maintenir.assets.models import Site
from maintenir.core.choices import ALL_ROLES, MANAGING_ROLES, STAFF_ROLES, Action, Role
from maintenir.core.models import Organisation, RestrictedModel
from maintenir.stores.choices import LocationKind, MovementKind, Unit

# The company's purchasing records: its staff read them, managers keep them; clients have no part in them.
PURCHASING_PERMISSIONS: dict[str, frozenset[str]] = {
    Action.VIEW: STAFF_ROLES,
    Action.ADD: MANAGING_ROLES,
    Action.CHANGE: MANAGING_ROLES,
    Action.DELETE: MANAGING_ROLES,
}
# Technicians move stock (issue to an order, load their van); managers also keep the catalogue and the stores.
STOCK_ROLES = frozenset({*MANAGING_ROLES, Role.TECHNICIAN})


def quantity_field(label: Any, **options: Any) -> models.DecimalField:
    """A quantity of a part, to the thousandth (metres of cable, litres of oil)."""
    return models.DecimalField(label, max_digits=12, decimal_places=3, **options)


def cost_field(label: Any, **options: Any) -> models.DecimalField:
    """A unit cost in euros, to the ten-thousandth so that averages of cheap parts stay exact enough."""
    return models.DecimalField(label, max_digits=14, decimal_places=4, **options)


def owner_field() -> models.ForeignKey:
    return models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set when the client owns it; only that client and the maintenance company see it."),
    )


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


class Location(RestrictedModel):
    """Where stock is kept: a store, a bin in a store, or a technician's van."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=LocationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("store"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bins",
        help_text=_("The store a bin is in."),
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, null=True, blank=True, related_name="stores"
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vans",
        help_text=_("The technician whose van this is."),
    )
    owner = owner_field()

    tenant_path = "owner"
    role_permissions = Part.role_permissions

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("stock location")
        verbose_name_plural = _("stock locations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("location-detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.kind == LocationKind.VAN and self.technician_id is None:
            errors["technician"] = _("A van belongs to a technician.")
        if self.kind != LocationKind.VAN and self.technician_id is not None:
            errors["technician"] = _("Only a van belongs to a technician.")
        if self.kind == LocationKind.BIN and self.parent_id is None:
            errors["parent"] = _("A bin is in a store.")
        if self.kind != LocationKind.BIN and self.parent_id is not None:
            errors["parent"] = _("Only a bin is in a store.")
        if self.kind == LocationKind.SITE_STORE and self.site_id is None:
            errors["site"] = _("A site store is on a site.")
        if self.owner_id is not None and self.site is not None and self.site.organisation_id != self.owner_id:
            errors["owner"] = _("A client keeps its own stock on its own sites only.")
        if self.parent is not None and self.parent.owner_id != self.owner_id:
            errors["owner"] = _("A bin belongs to whoever owns its store.")
        if errors:
            raise ValidationError(errors)


class StockBalance(RestrictedModel):
    """What a location holds of a part, kept in the same transaction as each ledger row.

    `reserved` is promised to planned work orders; what is available is `on_hand - reserved`.
    """

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="balances")
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="balances"
    )
    on_hand = quantity_field(_("on hand"), default=Decimal(0))
    reserved = quantity_field(_("reserved"), default=Decimal(0))
    average_cost = cost_field(_("weighted average cost"), default=Decimal(0))

    tenant_path = "location__owner"
    role_permissions = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: STOCK_ROLES,
        Action.CHANGE: STOCK_ROLES,
        Action.DELETE: frozenset({Role.ADMINISTRATOR}),
    }

    class Meta:
        ordering = ["part", "location"]
        constraints = [
            models.UniqueConstraint(fields=["part", "location"], name="stock_balance_unique"),
            # The last line of defence: no path through the code may leave stock negative or over-promised.
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(
                condition=models.Q(reserved__lte=models.F("on_hand")), name="stock_reserved_within_on_hand"
            ),
        ]
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")

    def __str__(self) -> str:
        return f"{self.part.reference} @ {self.location}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class StockMovement(RestrictedModel):
    """One row of the stock ledger; never changed once written."""

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="movements")
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    quantity = quantity_field(_("quantity"), help_text=_("Positive in, negative out."))
    unit_cost = cost_field(_("unit cost"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The other half of a transfer.
    counterpart = models.OneToOneField(
        "self", verbose_name=_("counterpart"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("The work order, delivery note or count it is for.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    tenant_path = "location__owner"
    role_permissions = StockBalance.role_permissions

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["part", "location", "created"])]
        # A count may confirm what is there; every other movement moves something.
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(quantity=0) | models.Q(kind=MovementKind.COUNT), name="stock_movement_not_zero"
            )
        ]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} × {self.part.reference} @ {self.location}"

    @property
    def value(self) -> Decimal:
        return self.quantity * self.unit_cost
