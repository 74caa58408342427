from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "maintenir.devices"
    label = "devices"
    verbose_name = _("Connected equipment")

    def ready(self) -> None:
        post_migrate.connect(create_reading_partitions, sender=self)


def create_reading_partitions(**kwargs: Any) -> None:
    """After `migrate`, the readings' table has the partitions of the raw window and the days ahead."""
    from django.utils import timezone

    from maintenir.devices.partitions import ensure_partitions

    ensure_partitions(timezone.now())
