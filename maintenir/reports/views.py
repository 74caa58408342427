"""Reports served as PDF, through the tenancy check like every page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

from maintenir.assets.models import Site
from maintenir.reliability.forms import KpiForm
from maintenir.reports import services
from maintenir.reports.forms import MonthlyReportForm
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


@login_required
def equipment_state_report(request: HttpRequest, pk: int) -> HttpResponse:
    """?start=&end= as on the KPI pages; by default the last twelve months."""
    site = get_visible(request, Site.objects.select_related("organisation"), pk)
    form = KpiForm(request.GET)
    if not form.is_valid():
        raise BadRequest(form.errors.as_text())
    period = form.period()
    pdf = services.equipment_state_report(request.user, site, period)  # type: ignore[arg-type]
    return pdf_response(pdf, f"{site.code}-equipment-state-{period.first_day}-{period.last_day}.pdf")


@login_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    """?month=YYYY-MM&scope=&id= (scope as on the KPI pages); by default last month, all equipment."""
    form = MonthlyReportForm(request.GET)
    if not form.is_valid():
        raise BadRequest(form.errors.as_text())
    month, kind, pk = form.choices()
    pdf = services.monthly_report(request.user, month, kind, pk)  # type: ignore[arg-type]
    return pdf_response(pdf, f"maintenance-{month:%Y-%m}.pdf")
