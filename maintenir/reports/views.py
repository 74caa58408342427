"""Reports served as PDF, and e-mailed from their page, through the tenancy check like every page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from maintenir.assets.models import Site
from maintenir.core.models import User
from maintenir.reliability.forms import KpiForm
from maintenir.reports import mailing, services
from maintenir.reports.forms import MonthlyReportForm, SendReportForm
from maintenir.ui.views_helpers import add_errors, get_visible
from maintenir.workorders.choices import WorkOrderType
from maintenir.workorders.models import WorkOrder


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def report_response(report: mailing.Report) -> HttpResponse:
    return pdf_response(report.render(), report.filename)


@login_required
def commissioning_report(request: HttpRequest, pk: int) -> HttpResponse:
    orders = WorkOrder.objects.filter(work_type=WorkOrderType.INSTALLATION).select_related("site__organisation")
    order = get_visible(request, orders, pk)
    pdf = services.commissioning_report(request.user, order)  # type: ignore[arg-type]
    return pdf_response(pdf, services.commissioning_filename(order))


def _intervention(request: HttpRequest, pk: int) -> mailing.Report:
    order = get_visible(request, WorkOrder.objects.select_related(*services.INTERVENTION_RELATED), pk)
    return mailing.intervention(request.user, order)  # type: ignore[arg-type]


def _equipment_state(request: HttpRequest, pk: int) -> mailing.Report:
    """?start=&end= as on the KPI pages; by default the last twelve months."""
    site = get_visible(request, Site.objects.select_related("organisation"), pk)
    form = KpiForm(request.GET)
    if not form.is_valid():
        raise BadRequest(form.errors.as_text())
    return mailing.equipment_state(request.user, site, form.period())  # type: ignore[arg-type]


def _monthly(request: HttpRequest) -> mailing.Report:
    """?month=YYYY-MM&scope=&id= (scope as on the KPI pages); by default last month, all equipment."""
    form = MonthlyReportForm(request.GET)
    if not form.is_valid():
        raise BadRequest(form.errors.as_text())
    return mailing.monthly(request.user, *form.choices())  # type: ignore[arg-type]


@login_required
def intervention_report(request: HttpRequest, pk: int) -> HttpResponse:
    return report_response(_intervention(request, pk))


@login_required
def equipment_state_report(request: HttpRequest, pk: int) -> HttpResponse:
    return report_response(_equipment_state(request, pk))


@login_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    return report_response(_monthly(request))


def _send_page(request: HttpRequest, report: mailing.Report, pdf_url: str, back_url: str) -> HttpResponse:
    """The report's page: a link to its PDF, the form that e-mails it, and where it went before."""
    user: User = request.user  # type: ignore[assignment]
    initial = {"recipients": ", ".join(report.default_recipients)}
    form = SendReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sent = mailing.send_report(user, report, form.cleaned_data["recipients"], form.cleaned_data["message"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Sent to %(recipients)s.") % {"recipients": ", ".join(sent.recipients)})
            return redirect(request.get_full_path())
    context = {
        "report": report,
        "form": form,
        "pdf_url": pdf_url,
        "back_url": back_url,
        "sendings": mailing.sendings(user, report),
    }
    return render(request, "reports/send.html", context)


def _with_query(request: HttpRequest, url: str) -> str:
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


@login_required
def send_intervention_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = _intervention(request, pk)
    return _send_page(
        request,
        report,
        reverse("intervention-report", args=[pk]),
        report.work_order.get_absolute_url(),  # type: ignore[union-attr]
    )


@login_required
def send_equipment_state_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = _equipment_state(request, pk)
    pdf_url = _with_query(request, reverse("equipment-state-report", args=[pk]))
    return _send_page(request, report, pdf_url, report.site.get_absolute_url())  # type: ignore[union-attr]


@login_required
def send_monthly_report(request: HttpRequest) -> HttpResponse:
    report = _monthly(request)
    return _send_page(request, report, _with_query(request, reverse("monthly-report")), reverse("reliability-kpis"))
