"""What the stores models share: quantities, costs, owners and who may do what."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from maintenir.core.choices import MANAGING_ROLES, STAFF_ROLES, Action, Role
from maintenir.core.models import Organisation

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
