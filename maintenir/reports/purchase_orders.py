"""The purchase order as the supplier receives it: a PDF in the language of whoever sends it."""

from django.utils import timezone

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import check_permission
from maintenir.reports.services import render_pdf
from maintenir.stores.models import PurchaseOrder


def purchase_order_pdf(user: User, order: PurchaseOrder) -> bytes:
    """The order's lines, prices and delivery addresses; only staff who may see the order may render it."""
    check_permission(user, Action.VIEW, order)
    lines = order.lines.select_related("part", "location", "location__site").order_by("pk")
    context = {
        "order": order,
        "supplier": order.supplier,
        "lines": lines,
        "total": sum((line.amount for line in lines), 0),
        "generated_at": timezone.now(),
        "generated_by": user,
    }
    return render_pdf("reports/purchase_order.html", context)
