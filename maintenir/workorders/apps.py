from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "maintenir.workorders"
    label = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from maintenir.devices.signals import device_unreachable, work_in_hand
        from maintenir.workorders.receivers import on_device_unreachable, on_work_in_hand

        device_unreachable.connect(on_device_unreachable, dispatch_uid="workorders-device-unreachable")
        work_in_hand.connect(on_work_in_hand, dispatch_uid="workorders-work-in-hand")
