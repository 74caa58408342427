from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreventiveConfig(AppConfig):
    name = "maintenir.preventive"
    label = "preventive"
    verbose_name = _("Preventive maintenance")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from maintenir.devices.signals import readings_stored
        from maintenir.preventive.models import Trigger
        from maintenir.preventive.parts import coming_needs, expected_parts, reserve_expected_parts
        from maintenir.preventive.receivers import on_readings_stored
        from maintenir.preventive.services import watched_points
        from maintenir.preventive.training import check_operator_trained
        from maintenir.stores.reorder import register_need_source
        from maintenir.workorders.signals import order_planned, parts_expected, step_recording

        readings_stored.connect(on_readings_stored, dispatch_uid="preventive-readings-stored")
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(watched_points.forget, sender=Trigger, dispatch_uid=f"preventive-watched-{name}")
        step_recording.connect(check_operator_trained, dispatch_uid="preventive-operator-trained")
        order_planned.connect(reserve_expected_parts, dispatch_uid="preventive-reserve-expected-parts")
        parts_expected.connect(expected_parts, dispatch_uid="preventive-expected-parts")
        register_need_source(coming_needs)
