from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "maintenir.workorders"
    label = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from maintenir.devices.signals import device_unreachable
        from maintenir.workorders.receivers import on_device_unreachable

        device_unreachable.connect(on_device_unreachable, dispatch_uid="workorders-device-unreachable")
