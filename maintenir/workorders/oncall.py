"""On-call calls (astreinte): an urgent request outside working time goes to the technician on call.

Rank 1 of the week's roster is called and e-mailed; a call not acknowledged within
MAINTENIR_ON_CALL_ACK_MINUTES is escalated to the next rank by the periodic task, and once the roster is
exhausted the managers are e-mailed. The escalation claims each call with a compare-and-swap update, so two
workers never escalate the same call twice.
"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maintenir.core.choices import MANAGING_ROLES, Action
from maintenir.core.models import User
from maintenir.core.services import TransitionError, check_permission
from maintenir.core.workdays import is_working_time
from maintenir.people.models import OnCallDuty
from maintenir.people.oncall import next_on_call, on_call_team, week_of
from maintenir.workorders.choices import Priority, WorkRequestStatus
from maintenir.workorders.models import OnCallCall, WorkRequest

logger = logging.getLogger(__name__)


def route_work_request(request: WorkRequest) -> OnCallCall | None:
    """Call the technician on call about an urgent request submitted outside working time."""
    now = timezone.now()
    if request.urgency != Priority.URGENT or is_working_time(now):
        return None
    week = week_of(timezone.localdate(now))
    team = on_call_team(week)
    duty = next_on_call(team, week) if team is not None else None
    if duty is None:
        _alert_managers(request, _("Nobody is on call this week."))
        return None
    return _call(request, duty, now)


def _call(request: WorkRequest, duty: OnCallDuty, now: datetime.datetime) -> OnCallCall:
    call = OnCallCall.objects.create(
        work_request=request,
        team=duty.team,
        week_start=duty.week_start,
        rank=duty.rank,
        technician=duty.technician,
        called_at=now,
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("On call: urgent request %(reference)s") % {"reference": request.reference}
        body = _(
            "%(description)s\n\nAcknowledge it on your Maintenir home page within %(minutes)s minutes, "
            "or the next technician on call is called."
        ) % {"description": describe(request), "minutes": settings.MAINTENIR_ON_CALL_ACK_MINUTES}
    _mail_on_commit(subject, body, [duty.technician.user.email])
    return call


def describe(request: WorkRequest) -> str:
    where = str(request.site) if request.equipment is None else f"{request.site} — {request.equipment}"
    return f"{request.reference} ({where})\n{request.symptom}"


def _alert_managers(request: WorkRequest, reason: str) -> None:
    managers = User.objects.filter(role__in=MANAGING_ROLES, is_active=True).exclude(email="")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("On call: nobody answered urgent request %(reference)s") % {"reference": request.reference}
        body = f"{reason}\n\n{describe(request)}"
    _mail_on_commit(subject, body, [manager.email for manager in managers])


def _mail_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    """Send once the call is stored; a mail server that fails is logged, the call stays on the home page."""
    recipients = [address for address in recipients if address]
    if not recipients:
        logger.warning("on-call: no e-mail address for %r", subject)
        return

    def send() -> None:
        try:
            send_mail(subject, body, None, recipients)
        except (smtplib.SMTPException, OSError):
            logger.exception("on-call: could not e-mail %s", ", ".join(recipients))

    transaction.on_commit(send)


def _answered() -> Exists:
    """Whether some call about the same request has been acknowledged."""
    return Exists(OnCallCall.objects.filter(work_request=OuterRef("work_request"), acknowledged_at__isnull=False))


def waiting_calls() -> QuerySet[OnCallCall]:
    """Calls nobody has answered yet, about requests still waiting for a decision."""
    return (
        OnCallCall.objects.filter(acknowledged_at__isnull=True, work_request__status=WorkRequestStatus.SUBMITTED)
        .exclude(_answered())
        .select_related("work_request__site", "work_request__equipment", "technician__user", "team")
    )


def calls_to_acknowledge(user: User) -> QuerySet[OnCallCall]:
    """The calls this user may still acknowledge (shown on their home page)."""
    return waiting_calls().filter(technician__user=user).order_by("called_at")


@transaction.atomic
def acknowledge_call(user: User, call: OnCallCall) -> OnCallCall:
    """The technician called takes the request: no further escalation."""
    check_permission(user, Action.VIEW, call)
    if call.technician.user_id != user.pk:
        raise PermissionDenied(_("Only the technician called may acknowledge this call."))
    now = timezone.now()
    if not OnCallCall.objects.filter(pk=call.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, last_updated=now
    ):
        raise TransitionError({"acknowledged_at": _("This call is already acknowledged.")})
    call.refresh_from_db()
    return call


def escalate_overdue_calls() -> int:
    """Escalate every call not acknowledged in time; returns how many were escalated."""
    now = timezone.now()
    deadline = now - datetime.timedelta(minutes=settings.MAINTENIR_ON_CALL_ACK_MINUTES)
    overdue = waiting_calls().filter(escalated_at__isnull=True, called_at__lte=deadline).order_by("called_at")
    escalated = 0
    for call in overdue:
        with transaction.atomic():
            # Claimed by exactly one worker: the others update no row and move on.
            claimed = OnCallCall.objects.filter(pk=call.pk, acknowledged_at__isnull=True, escalated_at__isnull=True)
            if claimed.update(escalated_at=now, last_updated=now) != 1:
                continue
            duty = next_on_call(call.team, call.week_start, call.rank)
            if duty is not None:
                _call(call.work_request, duty, now)
            else:
                OnCallCall.objects.filter(pk=call.pk).update(managers_alerted=True)
                with translation.override(settings.LANGUAGE_CODE):
                    reason = _("Nobody on the on-call roster acknowledged it.")
                _alert_managers(call.work_request, reason)
            escalated += 1
    return escalated
