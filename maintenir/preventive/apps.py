from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreventiveConfig(AppConfig):
    name = "maintenir.preventive"
    label = "preventive"
    verbose_name = _("Preventive maintenance")

    def ready(self) -> None:
        from maintenir.devices.signals import readings_stored
        from maintenir.preventive.receivers import on_readings_stored
        from maintenir.preventive.training import check_operator_trained
        from maintenir.workorders.signals import step_recording

        readings_stored.connect(on_readings_stored, dispatch_uid="preventive-readings-stored")
        step_recording.connect(check_operator_trained, dispatch_uid="preventive-operator-trained")
