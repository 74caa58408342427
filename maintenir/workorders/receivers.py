"""Work raised by events of other apps."""

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from maintenir.core.models import User
from maintenir.workorders.choices import FINISHED_STATUSES
from maintenir.workorders.models import Supervision, WorkOrder
from maintenir.workorders.services import raise_work_request


def on_device_unreachable(sender: Any, device: Any, error: str, **kwargs: Any) -> None:
    """A device past its grace period without answering: a corrective request on its equipment."""
    with translation.override(settings.LANGUAGE_CODE):
        symptom = _("The device %(device)s (%(host)s) does not answer any more.") % {
            "device": device.name,
            "host": device.host,
        }
    raise_work_request(device.equipment, symptom)


def on_work_in_hand(sender: Any, user: User, **kwargs: Any) -> dict[int, set[int]]:
    """The equipment of the orders assigned to the user and not closed or cancelled, with the tutors
    recorded beside them there: where they are at work, and with whom."""
    orders = WorkOrder.objects.filter(assignees=user, equipment__isnull=False).exclude(status__in=FINISHED_STATUSES)
    work: dict[int, set[int]] = {equipment_id: set() for equipment_id in orders.values_list("equipment_id", flat=True)}
    supervisions = Supervision.objects.filter(work_order__in=orders, trainee=user)
    for equipment_id, tutor_id in supervisions.values_list("work_order__equipment_id", "tutor_id"):
        work[equipment_id].add(tutor_id)
    return work
