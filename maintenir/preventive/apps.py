from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreventiveConfig(AppConfig):
    name = "maintenir.preventive"
    label = "preventive"
    verbose_name = _("Preventive maintenance")

    def ready(self) -> None:
        from maintenir.devices.signals import readings_stored
        from maintenir.preventive.receivers import on_readings_stored

        readings_stored.connect(on_readings_stored, dispatch_uid="preventive-readings-stored")
