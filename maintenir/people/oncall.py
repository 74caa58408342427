"""On-call rosters (astreinte): who is called, in which order, for which week.

The calls themselves reference the work request that caused them, so they live in
`maintenir.workorders.oncall`; this module only answers "who is next".
"""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import check_model_permission, check_permission, clean_row
from maintenir.people.models import OnCallDuty, Team, Technician


def week_of(day: datetime.date) -> datetime.date:
    """The Monday a roster week starts on."""
    return day - datetime.timedelta(days=day.weekday())


def on_call_team(week_start: datetime.date) -> Team | None:
    """The team answering urgent requests that week: MAINTENIR_ON_CALL_TEAM, or else the first team
    (by name) with a roster for the week."""
    if settings.MAINTENIR_ON_CALL_TEAM:
        return Team.objects.filter(name=settings.MAINTENIR_ON_CALL_TEAM).first()
    return Team.objects.filter(on_call__week_start=week_start).order_by("name").first()


def next_on_call(team: Team, week_start: datetime.date, after_rank: int = 0) -> OnCallDuty | None:
    """The first duty of the team's roster ranked after `after_rank` (0: rank 1, the first called)."""
    return (
        OnCallDuty.objects.filter(team=team, week_start=week_start, rank__gt=after_rank)
        .select_related("technician__user")
        .order_by("rank")
        .first()
    )


def roster(team: Team, week_start: datetime.date) -> list[OnCallDuty]:
    return list(
        OnCallDuty.objects.filter(team=team, week_start=week_start).select_related("technician__user").order_by("rank")
    )


@transaction.atomic
def set_roster(
    user: User, team: Team, week_start: datetime.date, technicians: Sequence[Technician]
) -> list[OnCallDuty]:
    """Replace the team's roster for the week: the technicians in the order they are called (rank 1 first)."""
    check_permission(user, Action.CHANGE, team)
    check_model_permission(user, Action.ADD, OnCallDuty)
    if week_start.isoweekday() != 1:
        raise ValidationError({"week_start": _("A roster week starts on a Monday.")})
    if len(set(technicians)) != len(technicians):
        raise ValidationError({"technicians": _("A technician appears twice in the roster.")})
    OnCallDuty.objects.filter(team=team, week_start=week_start).delete()
    duties = []
    for rank, technician in enumerate(technicians, start=1):
        duty = OnCallDuty(team=team, week_start=week_start, technician=technician, rank=rank)
        clean_row(duty, "technicians", rank, exclude=[])
        duty.save()
        duties.append(duty)
    return duties
