from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "maintenir.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from maintenir.core import changelog, login, search, text_indexes

        changelog.connect_signals()
        login.connect_signals()
        search.connect_signals()
        # A migration that remakes an SQLite table drops its triggers, the text index's among them.
        post_migrate.connect(text_indexes.after_migrate, sender=self, dispatch_uid="maintenir-text-indexes")
