from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "maintenir.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from maintenir.core import changelog, login, search

        changelog.connect_signals()
        login.connect_signals()
        search.connect_signals()
