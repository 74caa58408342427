"""Training of operators on level-1 gammes, and the rule it sets: an operator does the level-1 steps
of an order only once trained on the gamme the order follows."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenir.core.choices import STAFF_ROLES, Role
from maintenir.core.models import User
from maintenir.core.services import save_restricted
from maintenir.preventive.choices import MaintenanceLevel
from maintenir.preventive.models import Gamme, GammeStep, PreventiveOrder, TrainingSession
from maintenir.workorders.models import ChecklistStep


def level_one_gammes() -> QuerySet[Gamme]:
    """Gammes with operator work (a level-1 step in one of their versions): what operators are trained on."""
    return Gamme.objects.filter(
        pk__in=GammeStep.objects.filter(level=MaintenanceLevel.LEVEL_1).values("version__gamme")
    ).order_by("code")


def training_problems(
    session: TrainingSession, gammes: Iterable[Gamme], attendees: Iterable[User]
) -> dict[str, list[str]]:
    """What is wrong with a session's gammes, attendees and trainer, by field."""
    problems: dict[str, list[str]] = {}
    level_one = set(level_one_gammes().values_list("pk", flat=True))
    gammes = list(gammes)
    if not gammes:
        problems["gammes"] = [_("Name the gammes the session covered.")]
    for gamme in gammes:
        if gamme.pk not in level_one:
            problems.setdefault("gammes", []).append(
                _("%(gamme)s has no level-1 step: there is nothing in it for an operator.") % {"gamme": gamme}
            )
    attendees = list(attendees)
    if not attendees:
        problems["attendees"] = [_("Name the operators who attended.")]
    organisation_id = session.site.organisation_id if session.site_id else None
    for person in attendees:
        if person.role != Role.OPERATOR or person.organisation_id != organisation_id:
            problems.setdefault("attendees", []).append(
                _("%(user)s is not an operator of this site's client.") % {"user": person}
            )
    if session.trainer_id is not None and session.trainer.role not in STAFF_ROLES:
        problems["trainer"] = [_("The trainer is a technician or a manager of the maintenance team.")]
    return problems


@transaction.atomic
def save_training_session(
    user: User, session: TrainingSession, gammes: Iterable[Gamme], attendees: Iterable[User]
) -> TrainingSession:
    """Record (or correct) a training session; nothing is written if a gamme, attendee or the
    trainer does not fit."""
    gammes, attendees = list(gammes), list(attendees)
    if session.trainer_id is None:
        session.trainer = user
    problems = training_problems(session, gammes, attendees)
    if problems:
        raise ValidationError(problems)
    save_restricted(user, session, gammes=gammes, attendees=attendees)
    return session


def trained_on(operator: User, gamme: Gamme | int, on: datetime.date | None = None) -> bool:
    """Whether the operator attended a session on this gamme by that day (today by default)."""
    return TrainingSession.objects.filter(
        attendees=operator, gammes=gamme, date__lte=on or timezone.localdate()
    ).exists()


def check_operator_trained(sender: Any, user: User, step: ChecklistStep, **kwargs: Any) -> None:
    """Refuse an operator's recording of a step unless trained on the gamme its order follows
    (the level itself is checked by the work orders)."""
    if user.is_superuser or user.role != Role.OPERATOR:
        return
    origin = (
        PreventiveOrder.objects.filter(work_order_id=step.work_order_id).select_related("gamme_version__gamme").first()
    )
    if origin is None:
        raise ValidationError(
            {"step": _("This order follows no gamme: its steps are for technicians, not for operators.")}
        )
    gamme = origin.gamme_version.gamme
    if not trained_on(user, gamme):
        raise ValidationError(
            {
                "step": _("%(user)s has not been trained on the gamme %(gamme)s: a technician does this step.")
                % {"user": user, "gamme": gamme}
            }
        )
