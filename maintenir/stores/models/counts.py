"""Cycle counts (inventaire tournant): a location's parts counted a few at a time, discrepancies put right."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maintenir.core.choices import ALL_ROLES, MANAGING_ROLES, Action
from maintenir.core.models import RestrictedModel
from maintenir.stores.choices import CountStatus
from maintenir.stores.models.catalogue import Part
from maintenir.stores.models.fields import STOCK_ROLES, quantity_field
from maintenir.stores.models.stock import Location, StockMovement


class CycleCount(RestrictedModel):
    """A count of some of a location's parts: planned by a manager, counted on the shelf, then completed."""

    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="cycle_counts"
    )
    planned_for = models.DateField(_("planned date"))
    status = models.CharField(_("status"), max_length=20, choices=CountStatus.choices, default=CountStatus.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    tenant_path = "location__owner"
    # Managers plan counts; whoever moves stock may count it.
    role_permissions = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: MANAGING_ROLES,
        Action.CHANGE: STOCK_ROLES,
        Action.DELETE: MANAGING_ROLES,
    }

    class Meta:
        ordering = ["-planned_for", "-pk"]
        verbose_name = _("cycle count")
        verbose_name_plural = _("cycle counts")

    def __str__(self) -> str:
        return _("Count %(number)s of %(location)s") % {"number": self.reference, "location": self.location}

    @property
    def reference(self) -> str:
        return f"INV-{self.pk:06d}"

    def get_absolute_url(self) -> str:
        return reverse("cyclecount-detail", args=[self.pk])


class CycleCountLine(RestrictedModel):
    """One part of a count: what the balance said when counting started, and what was found."""

    cycle_count = models.ForeignKey(
        CycleCount, verbose_name=_("cycle count"), on_delete=models.CASCADE, related_name="lines"
    )
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    expected = quantity_field(_("expected on hand"), null=True, blank=True)
    counted = quantity_field(_("counted"), null=True, blank=True)
    movement = models.OneToOneField(
        StockMovement, verbose_name=_("count movement"), on_delete=models.PROTECT, null=True, blank=True
    )

    tenant_path = "cycle_count__location__owner"
    role_permissions = CycleCount.role_permissions
    changelog_parent = "cycle_count"

    class Meta:
        ordering = ["cycle_count", "part__reference"]
        constraints = [
            models.UniqueConstraint(fields=["cycle_count", "part"], name="cycle_count_line_unique"),
            models.CheckConstraint(
                condition=models.Q(counted__isnull=True) | models.Q(counted__gte=0), name="cycle_count_not_negative"
            ),
        ]
        verbose_name = _("cycle count line")
        verbose_name_plural = _("cycle count lines")

    def __str__(self) -> str:
        return f"{self.cycle_count.reference} {self.part.reference}"

    def get_absolute_url(self) -> str:
        return reverse("cyclecount-line", args=[self.pk])

    @property
    def difference(self) -> Decimal | None:
        if self.counted is None or self.expected is None:
            return None
        return self.counted - self.expected
