"""Reports served as PDF, through the tenancy check like every page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from maintenir.reports import services
from maintenir.ui.views_helpers import get_visible
from maintenir.workorders.choices import WorkOrderType
from maintenir.workorders.models import WorkOrder


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def commissioning_report(request: HttpRequest, pk: int) -> HttpResponse:
    orders = WorkOrder.objects.filter(work_type=WorkOrderType.INSTALLATION).select_related("site__organisation")
    order = get_visible(request, orders, pk)
    pdf = services.commissioning_report(request.user, order)  # type: ignore[arg-type]
    return pdf_response(pdf, f"{order.reference}-commissioning.pdf")


@login_required
def intervention_report(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_visible(request, WorkOrder.objects.select_related(*services.INTERVENTION_RELATED), pk)
    pdf = services.intervention_report(request.user, order)  # type: ignore[arg-type]
    return pdf_response(pdf, f"{order.reference}-intervention.pdf")
