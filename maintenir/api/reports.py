"""Reports as PDF documents, for whoever may see the work they report on."""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from maintenir.api.common import acting_user, get_visible, restricted
from maintenir.reports import services
from maintenir.reports.views import pdf_response
from maintenir.workorders.models import WorkOrder

router = Router(tags=["reports"])


@router.get(
    "/work-orders/{order_id}/commissioning-report",
    response={200: bytes},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def commissioning_report(request: HttpRequest, order_id: int) -> HttpResponse:
    """The commissioning report (procès-verbal de mise en service) of an installation order, as PDF."""
    order = get_visible(restricted(WorkOrder, request).select_related("site__organisation", "equipment"), order_id)
    pdf = services.commissioning_report(acting_user(request), order)
    return pdf_response(pdf, f"{order.reference}-commissioning.pdf")


@router.get(
    "/work-orders/{order_id}/intervention-report",
    response={200: bytes},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def intervention_report(request: HttpRequest, order_id: int) -> HttpResponse:
    """The intervention report of a work order, as PDF: findings, steps and measurements, time, parts,
    failure coding, downtime, sign-offs and photos."""
    order = get_visible(restricted(WorkOrder, request).select_related(*services.INTERVENTION_RELATED), order_id)
    pdf = services.intervention_report(acting_user(request), order)
    return pdf_response(pdf, f"{order.reference}-intervention.pdf")
