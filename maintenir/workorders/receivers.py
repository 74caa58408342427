"""Work raised by events of other apps."""

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from maintenir.workorders.services import raise_work_request


def on_device_unreachable(sender: Any, device: Any, error: str, **kwargs: Any) -> None:
    """A device past its grace period without answering: a corrective request on its equipment."""
    with translation.override(settings.LANGUAGE_CODE):
        symptom = _("The device %(device)s (%(host)s) does not answer any more.") % {
            "device": device.name,
            "host": device.host,
        }
    raise_work_request(device.equipment, symptom)
