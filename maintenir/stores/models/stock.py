"""Where stock is kept, what each place holds (balances) and every movement of it (the ledger)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maintenir.assets.models import Site
from maintenir.core.choices import ALL_ROLES, Action, Role
from maintenir.core.models import RestrictedModel
from maintenir.stores.choices import LocationKind, MovementKind
from maintenir.stores.models.catalogue import Part
from maintenir.stores.models.fields import STOCK_ROLES, cost_field, owner_field, quantity_field


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
    # Derived from the ledger in the same transaction; the ledger's rows say who moved what and when.
    changelog_enabled = False
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
    # The ledger is its own record: append-only, each row with its user and time.
    changelog_enabled = False

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
