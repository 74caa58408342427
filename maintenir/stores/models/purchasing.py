"""Reorder and purchasing: when to reorder a part at a location, what is asked for, and what is ordered."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maintenir.core.models import RestrictedModel
from maintenir.stores.choices import PurchaseOrderStatus, PurchaseRequestStatus
from maintenir.stores.models.catalogue import Part, Supplier
from maintenir.stores.models.fields import PURCHASING_PERMISSIONS, cost_field, quantity_field
from maintenir.stores.models.stock import Location

CLIENT_PART_REFUSED = _("A client's own part is not bought by the company: the client orders it.")


def _company_stock(part: Part | None, location: Location | None, errors: dict[str, object]) -> None:
    """Purchasing is the company's: it buys its own parts into its own locations."""
    if part is not None and part.owner_id is not None:
        errors["part"] = CLIENT_PART_REFUSED
    if location is not None and location.owner_id is not None:
        errors["location"] = _("The company buys into its own stores and vans, not into a client's.")


def _by(label: Any) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=label, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )


class ReorderRule(RestrictedModel):
    """Reorder the part at the location when what is available and on order falls to `reorder_point`,
    up to `maximum` (min/max when the reorder point is the minimum stock)."""

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.CASCADE, related_name="reorder_rules")
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.CASCADE, related_name="reorder_rules"
    )
    reorder_point = quantity_field(
        _("reorder point"),
        validators=[MinValueValidator(0)],
        help_text=_("Order when available plus on order, less the coming needs, falls to this."),
    )
    maximum = quantity_field(
        _("order up to"), validators=[MinValueValidator(0)], help_text=_("The stock an order brings it back to.")
    )

    role_permissions = PURCHASING_PERMISSIONS
    changelog_parent = "part"

    class Meta:
        ordering = ["part", "location"]
        constraints = [models.UniqueConstraint(fields=["part", "location"], name="reorder_rule_unique")]
        verbose_name = _("reorder rule")
        verbose_name_plural = _("reorder rules")

    def __str__(self) -> str:
        return f"{self.part.reference} @ {self.location}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        _company_stock(self.part if self.part_id else None, self.location if self.location_id else None, errors)
        if self.reorder_point is not None and self.maximum is not None and self.reorder_point > self.maximum:
            errors["maximum"] = _("The stock to order up to cannot be below the reorder point.")
        if errors:
            raise ValidationError(errors)


class PurchaseOrder(RestrictedModel):
    number = models.CharField(_("number"), max_length=30, unique=True)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PurchaseOrderStatus.choices, default=PurchaseOrderStatus.DRAFT
    )
    created_by = _by(_("created by"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = _by(_("sent by"))
    expected = models.DateField(_("expected"), null=True, blank=True, help_text=_("From the supplier's lead time."))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = _by(_("cancelled by"))

    role_permissions = PURCHASING_PERMISSIONS

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("purchaseorder-detail", args=[self.pk])

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), Decimal(0))


class PurchaseOrderLine(RestrictedModel):
    order = models.ForeignKey(
        PurchaseOrder, verbose_name=_("purchase order"), on_delete=models.CASCADE, related_name="lines"
    )
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        Location,
        verbose_name=_("receive into"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    supplier_reference = models.CharField(_("supplier's reference"), max_length=100, blank=True)
    quantity = quantity_field(_("quantity ordered"), validators=[MinValueValidator(Decimal("0.001"))])
    received = quantity_field(_("quantity received"), default=Decimal(0))
    unit_price = cost_field(_("unit price"), validators=[MinValueValidator(0)])

    role_permissions = PURCHASING_PERMISSIONS
    changelog_parent = "order"

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(received__gte=0, received__lte=models.F("quantity")),
                name="purchase_line_received_within_ordered",
            )
        ]
        indexes = [models.Index(fields=["part", "location"])]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")

    def __str__(self) -> str:
        return f"{self.order.number} {self.part.reference}"

    @property
    def outstanding(self) -> Decimal:
        return self.quantity - self.received

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price

    def clean(self) -> None:
        errors: dict[str, object] = {}
        _company_stock(self.part if self.part_id else None, self.location if self.location_id else None, errors)
        if errors:
            raise ValidationError(errors)


class PurchaseRequest(RestrictedModel):
    """A need to buy: from a reorder proposal or asked by hand, until it is ordered or cancelled."""

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="purchase_requests")
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="purchase_requests"
    )
    quantity = quantity_field(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))])
    supplier = models.ForeignKey(
        Supplier,
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Whom to order from; the cheapest of the quickest when left empty."),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PurchaseRequestStatus.choices, default=PurchaseRequestStatus.REQUESTED
    )
    requested_by = _by(_("requested by"))
    order_line = models.ForeignKey(
        PurchaseOrderLine,
        verbose_name=_("order line"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = _by(_("cancelled by"))

    role_permissions = PURCHASING_PERMISSIONS

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            # One open request per part and location: a second run of the reorder adds nothing.
            models.UniqueConstraint(
                fields=["part", "location"],
                condition=models.Q(status=PurchaseRequestStatus.REQUESTED),
                name="purchase_request_one_open",
            )
        ]
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")

    def __str__(self) -> str:
        return f"{self.part.reference} × {self.quantity} → {self.location}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        _company_stock(self.part if self.part_id else None, self.location if self.location_id else None, errors)
        if errors:
            raise ValidationError(errors)
