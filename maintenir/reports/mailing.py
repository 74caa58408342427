"""The PDF reports as things one can send: what each is, its file name, who gets it by default, and
sending it by e-mail with the PDF attached, recorded so its page shows to whom and when it went."""

import dataclasses
import datetime
import re
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from maintenir.assets.models import Site
from maintenir.core.choices import Action
from maintenir.core.models import Organisation, User
from maintenir.core.services import check_model_permission
from maintenir.reliability import services as reliability
from maintenir.reports import services
from maintenir.reports.choices import ReportKind
from maintenir.reports.models import ReportMailing
from maintenir.workorders.models import WorkOrder

# More would be a mailing list, not a report sent to the people concerned.
MAX_RECIPIENTS = 20


@dataclasses.dataclass(frozen=True)
class Report:
    """One report of one object (and period): enough to render, name, send and record it."""

    kind: ReportKind
    title: str
    filename: str
    render: Callable[[], bytes]
    organisation: Organisation | None = None
    work_order: WorkOrder | None = None
    site: Site | None = None
    parameters: str = ""

    @property
    def default_recipients(self) -> list[str]:
        """A client's report goes to the client's contact by default."""
        contact = self.organisation.contact_email if self.organisation is not None else ""
        return [contact] if contact and self.kind != ReportKind.MONTHLY else []


def intervention(user: User, order: WorkOrder) -> Report:
    return Report(
        kind=ReportKind.INTERVENTION,
        title=_("Intervention report %(order)s") % {"order": order.reference},
        filename=f"{order.reference}-intervention.pdf",
        render=lambda: services.intervention_report(user, order),
        organisation=order.site.organisation,
        work_order=order,
    )


def equipment_state(user: User, site: Site, period: reliability.Period) -> Report:
    first, last = period.first_day, period.last_day
    days = {"first": date_format(first, "SHORT_DATE_FORMAT"), "last": date_format(last, "SHORT_DATE_FORMAT")}
    return Report(
        kind=ReportKind.EQUIPMENT_STATE,
        title=_("Equipment-state report of %(site)s, %(first)s to %(last)s") % {"site": site, **days},
        filename=f"{site.code}-equipment-state-{first}-{last}.pdf",
        render=lambda: services.equipment_state_report(user, site, period),
        organisation=site.organisation,
        site=site,
        parameters=urlencode({"start": first, "end": last}),
    )


def monthly(user: User, month: datetime.date, kind: str, pk: int | None) -> Report:
    if not services.may_report_monthly(user):
        raise PermissionDenied(_("Only a manager may see the monthly maintenance report."))
    query = {"month": f"{month:%Y-%m}", "scope": kind, **({"id": pk} if pk is not None else {})}
    return Report(
        kind=ReportKind.MONTHLY,
        title=_("Monthly maintenance report, %(month)s") % {"month": date_format(month, "YEAR_MONTH_FORMAT")},
        filename=f"maintenance-{month:%Y-%m}.pdf",
        render=lambda: services.monthly_report(user, month, kind, pk),
        parameters=urlencode(query),
    )


def split_addresses(text: str) -> list[str]:
    """Addresses as people type them: separated by commas, semicolons, spaces or new lines."""
    return [address for address in re.split(r"[\s,;]+", text) if address]


def check_recipients(recipients: Iterable[str]) -> list[str]:
    """The addresses, each once; a ValidationError on `recipients` names every bad one."""
    addresses = list(dict.fromkeys(address.strip() for address in recipients if address.strip()))
    if not addresses:
        raise ValidationError({"recipients": _("Name at least one recipient.")})
    if len(addresses) > MAX_RECIPIENTS:
        raise ValidationError({"recipients": _("At most %(count)d recipients.") % {"count": MAX_RECIPIENTS}})
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(
            {"recipients": _("Not an e-mail address: %(addresses)s.") % {"addresses": ", ".join(bad)}}
        )
    return addresses


@transaction.atomic
def send_report(user: User, report: Report, recipients: Iterable[str], message: str = "") -> ReportMailing:
    """E-mail the report's PDF to the recipients and record the sending; bad addresses send nothing.
    Rendering checks that the user may see the report; a refused or failed send records nothing."""
    check_model_permission(user, Action.ADD, ReportMailing)
    addresses = check_recipients(recipients)
    pdf = report.render()
    sender = user.get_full_name() or user.username
    body = "\n\n".join(
        part
        for part in (
            message.strip(),
            _("Please find attached: %(report)s, sent by %(user)s.") % {"report": report.title, "user": sender},
        )
        if part
    )
    mailing = ReportMailing.objects.create(
        kind=report.kind,
        organisation=report.organisation,
        work_order=report.work_order,
        site=report.site,
        parameters=report.parameters,
        title=report.title,
        recipients=addresses,
        message=message.strip(),
        sent_by=user,
        sent_at=timezone.now(),
    )
    email = EmailMessage(
        subject=report.title,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=addresses,
        reply_to=[user.email] if user.email else None,
    )
    email.attach(report.filename, pdf, "application/pdf")
    email.send()
    return mailing


def sendings(user: User, report: Report) -> QuerySet[ReportMailing]:
    """The earlier sendings of this report that the user may see, latest first: for a work order's or
    a site's report whatever the period, for a monthly report those of the same month and scope."""
    found = ReportMailing.objects.restrict(user).filter(
        kind=report.kind, work_order=report.work_order, site=report.site
    )
    if report.kind == ReportKind.MONTHLY:
        found = found.filter(parameters=report.parameters)
    return found.select_related("sent_by")
