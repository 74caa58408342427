from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreventiveConfig(AppConfig):
    name = "maintenir.preventive"
    label = "preventive"
    verbose_name = _("Preventive maintenance")
