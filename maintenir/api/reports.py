"""Reports as PDF documents, for whoever may see the work they report on, and e-mailed with the PDF attached."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from maintenir.api.common import (
    Input,
    Integer,
    Pagination,
    PdfFile,
    acting_user,
    answers,
    get_visible,
    restricted,
    text_limit,
)
from maintenir.api.reliability import PeriodQuery, period_of
from maintenir.assets.models import Site
from maintenir.reports import mailing, services
from maintenir.reports.choices import ReportKind
from maintenir.reports.forms import MonthlyReportForm
from maintenir.reports.models import ReportMailing
from maintenir.reports.views import pdf_response, report_response
from maintenir.workorders.models import WorkOrder

router = Router(tags=["reports"])


@router.get("/work-orders/{order_id}/commissioning-report", response={200: PdfFile})
def commissioning_report(request: HttpRequest, order_id: int) -> HttpResponse:
    """The commissioning report (procès-verbal de mise en service) of an installation order, as PDF."""
    order = get_visible(restricted(WorkOrder, request).select_related("site__organisation", "equipment"), order_id)
    pdf = services.commissioning_report(acting_user(request), order)
    return pdf_response(pdf, services.commissioning_filename(order))


def _intervention(request: HttpRequest, order_id: int) -> mailing.Report:
    order = get_visible(restricted(WorkOrder, request).select_related(*services.INTERVENTION_RELATED), order_id)
    return mailing.intervention(acting_user(request), order)


def _equipment_state(request: HttpRequest, site_id: int, query: PeriodQuery) -> mailing.Report:
    site = get_visible(restricted(Site, request).select_related("organisation"), site_id)
    return mailing.equipment_state(acting_user(request), site, period_of(query.start, query.end))


@router.get("/work-orders/{order_id}/intervention-report", response={200: PdfFile})
def intervention_report(request: HttpRequest, order_id: int) -> HttpResponse:
    """The intervention report of a work order, as PDF: findings, steps and measurements, time, parts,
    failure coding, downtime, sign-offs and photos."""
    return report_response(_intervention(request, order_id))


@router.get("/sites/{site_id}/equipment-state-report", response={200: PdfFile})
def equipment_state_report(request: HttpRequest, site_id: int, query: Query[PeriodQuery]) -> HttpResponse:
    """The equipment-state report of a site over a period, as PDF: each equipment's state and figures,
    the work done, the open issues, the preventive work to come and the recommended operations."""
    return report_response(_equipment_state(request, site_id, query))


class MonthlyQuery(Input):
    month: str | None = Field(None, description="YYYY-MM (default: last month).", pattern=r"^\d{4}-\d{2}$")
    scope: str | None = Field(None, description="all, organisation, site, production_line, equipment_type or equipment")
    id: int | None = Field(None, description="The scope's object; not for `all`.")


def _monthly(request: HttpRequest, query: MonthlyQuery) -> mailing.Report:
    form = MonthlyReportForm(query.model_dump(exclude_none=True))
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return mailing.monthly(acting_user(request), *form.choices())


@router.get("/reports/monthly", response={200: PdfFile})
@answers(404)  # the scope's object
def monthly_report(request: HttpRequest, query: Query[MonthlyQuery]) -> HttpResponse:
    """The monthly maintenance report of a scope, for managers, as PDF: the KPIs of the month beside the
    previous month's, the trend, the Pareto of failures, the backlog and the preventive orders still open."""
    return report_response(_monthly(request, query))


# --- E-mail --------------------------------------------------------------------------------------


class SendIn(Input):
    recipients: list[str] = Field(description="E-mail addresses; a bad one is refused and nothing is sent.")
    message: str = Field(
        "", description="A few words above the attached report.", max_length=text_limit(ReportMailing, "message")
    )


class MailingOut(Schema):
    id: int
    kind: ReportKind
    kind_display: str = Field(alias="get_kind_display")
    title: str
    work_order: int | None = Field(None, alias="work_order_id")
    site: int | None = Field(None, alias="site_id")
    parameters: str
    recipients: list[str]
    message: str
    sent_by: int = Field(alias="sent_by_id")
    sent_at: datetime.datetime


def _send(request: HttpRequest, report: mailing.Report, payload: SendIn) -> ReportMailing:
    return mailing.send_report(acting_user(request), report, payload.recipients, payload.message)


@router.post("/work-orders/{order_id}/intervention-report/email", response={201: MailingOut})
def email_intervention_report(request: HttpRequest, order_id: int, payload: SendIn) -> ReportMailing:
    """E-mail the intervention report of a work order, the PDF attached; the sending is recorded."""
    return _send(request, _intervention(request, order_id), payload)


@router.post("/sites/{site_id}/equipment-state-report/email", response={201: MailingOut})
def email_equipment_state_report(
    request: HttpRequest, site_id: int, query: Query[PeriodQuery], payload: SendIn
) -> ReportMailing:
    """E-mail the equipment-state report of a site over a period, the PDF attached; the sending is recorded."""
    return _send(request, _equipment_state(request, site_id, query), payload)


@router.post("/reports/monthly/email", response={201: MailingOut})
@answers(404)  # the scope's object
def email_monthly_report(request: HttpRequest, query: Query[MonthlyQuery], payload: SendIn) -> ReportMailing:
    """E-mail the monthly maintenance report (managers), the PDF attached; the sending is recorded."""
    return _send(request, _monthly(request, query), payload)


@router.get("/report-mailings", response=list[MailingOut])
@paginate(Pagination)
def list_report_mailings(
    request: HttpRequest, kind: ReportKind | None = None, work_order: Integer | None = None, site: Integer | None = None
) -> QuerySet[ReportMailing]:
    """The reports sent by e-mail that the user may see, latest first: which, to whom, by whom, when."""
    found = restricted(ReportMailing, request)
    if kind is not None:
        found = found.filter(kind=kind)
    if work_order is not None:
        found = found.filter(work_order=work_order)
    if site is not None:
        found = found.filter(site=site)
    return found
