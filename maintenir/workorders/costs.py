"""What the parts used on an order cost.

A part taken from stock costs what its issue movement says: the quantity issued at the weighted average cost
of the moment (prix moyen pondéré), to the ten-thousandth. A free-text part costs what was typed.
"""

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce

from maintenir.workorders.models import PartUsage

COST_FIELD = DecimalField(max_digits=24, decimal_places=7)


def unit_cost(usage: PartUsage) -> Decimal | None:
    """What one unit cost (the related movement must be loaded with the usage, `select_related("movement")`)."""
    return usage.movement.unit_cost if usage.movement is not None else usage.unit_cost


def cost(usage: PartUsage) -> Decimal | None:
    """What the line cost; None for a free-text part with no cost typed."""
    if usage.movement is not None:
        return -usage.movement.quantity * usage.movement.unit_cost
    return usage.quantity * usage.unit_cost if usage.unit_cost is not None else None


def cost_expression(prefix: str = "") -> Combinable:
    """The same line cost for a query over parts used (`prefix` leads to the PartUsage), 0 when unknown."""
    issued = ExpressionWrapper(
        -F(f"{prefix}movement__quantity") * F(f"{prefix}movement__unit_cost"), output_field=COST_FIELD
    )
    typed = ExpressionWrapper(F(f"{prefix}quantity") * F(f"{prefix}unit_cost"), output_field=COST_FIELD)
    return Coalesce(issued, typed, Value(Decimal(0)), output_field=COST_FIELD)
