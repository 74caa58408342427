"""Reports as PDF documents, for whoever may see the work they report on."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from maintenir.api.common import acting_user, get_visible, restricted
from maintenir.api.reliability import PeriodQuery, period_of
from maintenir.assets.models import Site
from maintenir.reports import services
from maintenir.reports.forms import MonthlyReportForm
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


@router.get(
    "/sites/{site_id}/equipment-state-report",
    response={200: bytes},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def equipment_state_report(request: HttpRequest, site_id: int, query: Query[PeriodQuery]) -> HttpResponse:
    """The equipment-state report of a site over a period, as PDF: each equipment's state and figures,
    the work done, the open issues, the preventive work to come and the recommended operations."""
    site = get_visible(restricted(Site, request).select_related("organisation"), site_id)
    period = period_of(query.start, query.end)
    pdf = services.equipment_state_report(acting_user(request), site, period)
    return pdf_response(pdf, f"{site.code}-equipment-state-{period.first_day}-{period.last_day}.pdf")


class MonthlyQuery(Schema):
    month: str | None = Field(None, description="YYYY-MM (default: last month).", pattern=r"^\d{4}-\d{2}$")
    scope: str | None = Field(None, description="all, organisation, site, production_line, equipment_type or equipment")
    id: int | None = Field(None, description="The scope's object; not for `all`.")


@router.get(
    "/reports/monthly",
    response={200: bytes},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def monthly_report(request: HttpRequest, query: Query[MonthlyQuery]) -> HttpResponse:
    """The monthly maintenance report of a scope, for managers, as PDF: the KPIs of the month beside the
    previous month's, the trend, the Pareto of failures, the backlog and the preventive orders still open."""
    form = MonthlyReportForm(query.model_dump(exclude_none=True))
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    month, kind, pk = form.choices()
    pdf = services.monthly_report(acting_user(request), month, kind, pk)
    return pdf_response(pdf, f"maintenance-{month:%Y-%m}.pdf")
