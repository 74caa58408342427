"""PDF documents for clients. A report is a template, a function building its context, and `render_pdf`.

WeasyPrint lays the page out with the system's DejaVu fonts and fetches nothing from the network:
`LocalFetcher` reads data: URLs and Maintenir's own static and media files, and refuses anything else.
"""

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.db.models import F, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from weasyprint.urls import URLFetcher, URLFetcherResponse

from maintenir.assets.models import Equipment, Site
from maintenir.assets.services import equipment_tree
from maintenir.core import formats
from maintenir.core.choices import MANAGING_ROLES, Action
from maintenir.core.models import User
from maintenir.core.services import check_permission
from maintenir.devices.models import Device
from maintenir.preventive.services import forecast
from maintenir.reliability import services as reliability
from maintenir.reliability.choices import GroupBy, ParetoBy, ProposalStatus
from maintenir.reliability.measures import add_months
from maintenir.reliability.models import ImprovementProposal
from maintenir.workorders import costs
from maintenir.workorders.choices import (
    OPEN_STATUSES,
    CheckStatus,
    WorkOrderStatus,
    WorkOrderType,
    WorkRequestStatus,
)
from maintenir.workorders.commissioning import checks_of, signed_off
from maintenir.workorders.models import ChecklistStep, Downtime, WorkOrder, WorkRequest

# Root-relative URLs in report templates ({% static %}, media) resolve against it, then map to files.
BASE_URL = "file:///"


def _url_path(setting: str) -> str:
    return "/" + urlsplit(setting).path.strip("/") + "/"


def local_file(url: str) -> Path | None:
    """The file behind a static or media URL of a report, or None for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc:
        return None
    path = unquote(parts.path)
    static, media = _url_path(settings.STATIC_URL), _url_path(settings.MEDIA_URL)
    try:
        if path.startswith(static):
            found = finders.find(path.removeprefix(static))
            return Path(found) if isinstance(found, str) else None
    except SuspiciousFileOperation:
        return None
    if path.startswith(media):
        root = Path(settings.MEDIA_ROOT).resolve()
        candidate = (root / path.removeprefix(media)).resolve()
        return candidate if candidate.is_relative_to(root) and candidate.is_file() else None
    return None


class LocalFetcher(URLFetcher):
    """WeasyPrint's fetcher limited to data: URLs and local static/media files: a report never calls out."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = local_file(url)
        if path is None:
            raise ValueError(f"not a static or media file of Maintenir, not fetched: {url}")
        return super().fetch(path.as_uri(), headers)


def render_html(template: str, context: dict[str, Any]) -> str:
    return render_to_string(template, context)


def render_document(html: str) -> weasyprint.Document:
    """The laid-out pages, before they are written as PDF."""
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=LocalFetcher()).render()


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    pdf = render_document(render_html(template, context)).write_pdf()
    assert pdf is not None  # without a target, write_pdf returns the bytes
    return bytes(pdf)


# --- Commissioning report --------------------------------------------------------------------


def order_header(user: User, order: WorkOrder) -> dict[str, Any]:
    """What every report on one work order shows at its top and foot: client, site, order, signatures."""
    return {
        "order": order,
        "organisation": order.site.organisation,
        "site": order.site,
        "sign_offs": list(order.sign_offs.all()),
        "generated_at": timezone.now(),
        "generated_by": user,
    }


def commissioning_context(user: User, order: WorkOrder) -> dict[str, Any]:
    """What the commissioning report shows: client, site, equipment and devices, each check's last
    result, the reservations and the sign-offs."""
    check_permission(user, Action.VIEW, order)
    if order.work_type != WorkOrderType.INSTALLATION:
        raise ValidationError(
            {"work_type": _("Only an installation and commissioning order has a commissioning report.")}
        )
    tree = equipment_tree(order.equipment) if order.equipment is not None else []
    checks = list(checks_of(order))
    header = order_header(user, order)
    sign_offs = header["sign_offs"]
    return {
        **header,
        "equipment_tree": tree,
        "devices": Device.objects.restrict(user)
        .filter(equipment__in=[equipment for _depth, equipment in tree])
        .select_related("equipment"),
        "checks": checks,
        "not_passed": [check for check in checks if check.status != CheckStatus.PASSED],
        "reservations": [signed for signed in sign_offs if signed.reservations],
        "signed": bool(sign_offs),
    }


def commissioning_report(user: User, order: WorkOrder) -> bytes:
    """The commissioning report (procès-verbal de mise en service) of an order, as PDF: a draft,
    marked as such, until the order is signed off."""
    return render_pdf("reports/commissioning.html", commissioning_context(user, order))


def commissioning_filename(order: WorkOrder) -> str:
    """The report's file name, which says it is a draft until the sign-off."""
    return f"{order.reference}-commissioning{'' if signed_off(order) else '-draft'}.pdf"


# --- Intervention report -----------------------------------------------------------------------

# What the intervention report reads on the order itself, in the same query.
INTERVENTION_RELATED = (
    "site__organisation",
    "equipment",
    "failure_mode",
    "failure_mechanism",
    "failure_cause",
    "remedy",
    "detection_method",
)


def intervention_context(user: User, order: WorkOrder) -> dict[str, Any]:
    """What the intervention report of a work order shows: what was found and done, the steps with
    their measured values, the time booked, the parts, the failure coding, the downtime, the
    sign-offs and the photos of the request it answers."""
    check_permission(user, Action.VIEW, order)
    time_entries = list(order.time_entries.select_related("technician"))
    parts = [(part, costs.unit_cost(part), costs.cost(part)) for part in order.parts.select_related("movement")]
    work_request = WorkRequest.objects.restrict(user).filter(work_order=order).prefetch_related("photos").first()
    header = order_header(user, order)
    return {
        **header,
        "steps": list(order.steps.select_related("done_by")),
        "time_entries": time_entries,
        "total_hours": sum((entry.hours for entry in time_entries), Decimal(0)),
        "parts": parts,
        "parts_cost": sum((cost for _part, _unit, cost in parts if cost is not None), Decimal(0)),
        "downtimes": list(order.downtimes.select_related("equipment")),
        "work_request": work_request,
        "photos": list(work_request.photos.all()) if work_request is not None else [],
        "coded": any(
            getattr(order, field) is not None
            for field in ("failure_mode", "failure_mechanism", "failure_cause", "remedy", "detection_method")
        ),
        "signed": bool(header["sign_offs"]),
    }


def intervention_report(user: User, order: WorkOrder) -> bytes:
    """The intervention report (rapport d'intervention) of a work order, as PDF."""
    return render_pdf("reports/intervention.html", intervention_context(user, order))


# --- Equipment-state report ----------------------------------------------------------------------

# How far ahead the report lists the preventive work to come.
UPCOMING_WEEKS = 8
RECOMMENDED_PROPOSALS = (ProposalStatus.PROPOSED, ProposalStatus.APPROVED)


def equipment_state_context(
    user: User, site: Site, period: reliability.Period, today: datetime.date | None = None
) -> dict[str, Any]:
    """What the client's equipment-state report of a site shows for a period: each equipment's
    state and figures (from the reliability KPIs), the work done, the open issues, the preventive
    work to come and the operations recommended: improvement proposals not yet carried out and the
    measurements found out of range."""
    check_permission(user, Action.VIEW, site)
    today = today or timezone.localdate()
    equipment = Equipment.objects.restrict(user).filter(site=site)
    figures = {row.key: row for row in reliability.kpis(equipment, period, GroupBy.EQUIPMENT)}
    # Latest first, so that the earliest open downtime (when the equipment went down) is kept.
    down_since = dict(
        Downtime.objects.restrict(user)
        .filter(equipment__in=equipment, ended_at__isnull=True)
        .order_by("-started_at")
        .values_list("equipment_id", "started_at")
    )
    orders = WorkOrder.objects.restrict(user).filter(site=site).select_related("equipment")
    open_orders = list(orders.filter(status__in=OPEN_STATUSES).order_by("priority", "due_date", "pk"))
    open_by_equipment: dict[int | None, int] = {}
    for order in open_orders:
        open_by_equipment[order.equipment_id] = open_by_equipment.get(order.equipment_id, 0) + 1
    out_of_range = (
        ChecklistStep.objects.restrict(user)
        .filter(work_order__site=site, done_at__gte=period.start, done_at__lt=period.end)
        .filter(Q(measured_value__lt=F("expected_min")) | Q(measured_value__gt=F("expected_max")))
        .select_related("work_order__equipment")
        .order_by("done_at")
    )
    return {
        "organisation": site.organisation,
        "site": site,
        "period": period,
        "rows": [
            (item, figures.get(item.pk), down_since.get(item.pk), open_by_equipment.get(item.pk, 0))
            for item in equipment.select_related("equipment_type").order_by("code")
        ],
        "done": list(
            orders.filter(
                status__in=(WorkOrderStatus.DONE, WorkOrderStatus.CLOSED),
                completed_at__gte=period.start,
                completed_at__lt=period.end,
            )
            .select_related("failure_mode")
            .annotate(hours=Sum("time_entries__hours"))
            .order_by("completed_at", "pk")
        ),
        "open_orders": open_orders,
        "open_requests": list(
            WorkRequest.objects.restrict(user)
            .filter(site=site, status=WorkRequestStatus.SUBMITTED)
            .select_related("equipment")
            .order_by("created")
        ),
        "upcoming": [
            due
            for due in forecast(user, today, UPCOMING_WEEKS, site_id=site.pk).due_dates
            if due.date is not None or due.open_order_id is not None
        ],
        "proposals": list(
            ImprovementProposal.objects.restrict(user)
            .filter(equipment__in=equipment, status__in=RECOMMENDED_PROPOSALS)
            .select_related("equipment")
            .order_by("equipment__code", "pk")
        ),
        "out_of_range": list(out_of_range),
        "upcoming_weeks": UPCOMING_WEEKS,
        "generated_at": timezone.now(),
        "generated_by": user,
    }


def equipment_state_report(user: User, site: Site, period: reliability.Period) -> bytes:
    """The client's equipment-state report of a site over a period, as PDF."""
    return render_pdf("reports/equipment_state.html", equipment_state_context(user, site, period))


# --- Monthly maintenance report --------------------------------------------------------------------

# The months of the trend table, the report's month included.
TREND_MONTHS = 6
# The oldest open orders listed under the backlog figures.
BACKLOG_LISTED = 15
PARETOS = (ParetoBy.FAILURE_MODE, ParetoBy.EQUIPMENT)
# What each line of the KPI table shows: (label, Figures attribute, how it is written).
MONTHLY_FIGURES = (
    (gettext_lazy("Failures"), "failures", "count"),
    (gettext_lazy("MTBF (h)"), "mtbf", "hours"),
    (gettext_lazy("MTTR (h)"), "mttr", "hours"),
    (gettext_lazy("Availability"), "availability", "availability"),
    (gettext_lazy("Downtime (h)"), "downtime_hours", "hours"),
    (gettext_lazy("Labour (h)"), "labour_hours", "hours"),
    (gettext_lazy("Preventive/corrective ratio"), "pc_ratio", "ratio"),
    (gettext_lazy("Schedule compliance"), "compliance", "percent"),
    (gettext_lazy("Backlog (orders)"), "backlog_orders", "count"),
    (gettext_lazy("Backlog (h)"), "backlog_hours", "hours"),
    (gettext_lazy("Cost"), "cost", "money"),
)


def may_report_monthly(user: User) -> bool:
    """The monthly report is the managers' view of maintenance across clients."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in MANAGING_ROLES))


def _definition(name: str) -> str:
    """A figure defined as on the KPI pages; the cost's definition states the labour rate."""
    text = str(reliability.DEFINITIONS[name])
    return text % {"rate": formats.money(reliability.labour_rate())} if name == "cost" else text


def monthly_context(
    user: User, month: datetime.date, kind: str = reliability.SCOPE_ALL, pk: int | None = None
) -> dict[str, Any]:
    """The monthly maintenance report of a scope (all equipment, a client, a site…): the KPIs of the
    month beside the previous month's, the monthly trend, the Pareto of failures, the backlog and
    the preventive orders of the month still open. Every figure comes from the reliability KPIs."""
    if not may_report_monthly(user):
        raise PermissionDenied(_("Only a manager may see the monthly maintenance report."))
    equipment, scope_name = reliability.scope_equipment(user, kind, pk)
    first = month.replace(day=1)
    period = reliability.Period.of_days(first, add_months(first, 1) - datetime.timedelta(days=1))
    previous = reliability.Period.of_days(add_months(first, -1), first - datetime.timedelta(days=1))
    figures = reliability.totals(equipment, period)
    before = reliability.totals(equipment, previous)
    trend_period = reliability.Period.of_days(add_months(first, 1 - TREND_MONTHS), period.last_day)
    orders = WorkOrder.objects.restrict(user).filter(equipment__in=equipment.values("pk"))
    return {
        "scope_name": scope_name,
        "period": period,
        "figures": figures,
        "lines": [
            (label, style, (getattr(figures, name), getattr(before, name))) for label, name, style in MONTHLY_FIGURES
        ],
        "trend": reliability.trend(equipment, trend_period),
        "paretos": [(by.label, reliability.pareto(equipment, period, by)) for by in PARETOS],
        "backlog": list(
            orders.filter(status__in=reliability.BACKLOG_STATUSES)
            .select_related("equipment", "site")
            .order_by("created", "pk")[:BACKLOG_LISTED]
        ),
        "preventive_open": list(
            orders.filter(
                work_type__in=reliability.PREVENTIVE_TYPES,
                due_date__gte=period.first_day,
                due_date__lte=period.last_day,
                status__in=OPEN_STATUSES,
            )
            .select_related("equipment")
            .order_by("due_date", "pk")
        ),
        "definitions": [
            _definition(name) for _label, name, _style in MONTHLY_FIGURES if name in reliability.DEFINITIONS
        ],
        "generated_at": timezone.now(),
        "generated_by": user,
    }


def monthly_report(user: User, month: datetime.date, kind: str = reliability.SCOPE_ALL, pk: int | None = None) -> bytes:
    """The monthly maintenance report, as PDF."""
    return render_pdf("reports/monthly.html", monthly_context(user, month, kind, pk))
