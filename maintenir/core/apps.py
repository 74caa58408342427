from typing import Any

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "maintenir.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from maintenir.core import changelog, checks, login, search, text_indexes  # noqa: F401 (checks registers itself)

        changelog.connect_signals()
        login.connect_signals()
        search.connect_signals()
        # A migration that remakes an SQLite table drops its triggers, the text index's among them.
        post_migrate.connect(text_indexes.after_migrate, sender=self, dispatch_uid="maintenir-text-indexes")
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="maintenir-cache-table")


def create_cache_table(using: str, **kwargs: Any) -> None:
    """The database cache's table, when the settings choose that cache; `createcachetable` leaves an existing one."""
    call_command("createcachetable", database=using, verbosity=0)
