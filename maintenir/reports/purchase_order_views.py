"""A purchase order's PDF, and its sending to the supplier: the stores app keeps the order, this app lays it out."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.reports.purchase_orders import purchase_order_pdf
from maintenir.reports.views import pdf_response
from maintenir.stores import purchasing
from maintenir.stores.models import PurchaseOrder
from maintenir.ui.views_helpers import get_visible, show_refusal


@login_required
def purchase_order_document(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_visible(request, PurchaseOrder.objects.select_related("supplier"), pk)
    return pdf_response(purchase_order_pdf(request.user, order), f"{order.number}.pdf")  # type: ignore[arg-type]


@login_required
@require_POST
def send_purchase_order(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail the order's PDF to the supplier, in the sender's language, and mark it sent."""
    order = get_visible(request, PurchaseOrder.objects.select_related("supplier"), pk, Action.CHANGE)
    user: User = request.user  # type: ignore[assignment]
    try:
        purchasing.send_order(
            user, order, lambda order: purchase_order_pdf(user, order), request.POST.get("message", "")
        )
    except ValidationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("Sent to %(address)s.") % {"address": order.supplier.email})
    return redirect(order)
