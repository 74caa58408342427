import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from maintenir.core.periodic import run_schedule
from maintenir.core.processes import ParentWatch, exit_now, stop_on_signals


class Command(BaseCommand):
    help = (
        "Run the periodic tasks (preventive generator, readings compaction, on-call escalation) without a "
        "broker, until stopped (Ctrl-C or SIGTERM); `maintenir serve` starts it by itself."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        ParentWatch.add_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.CELERY_BROKER_URL:
            raise CommandError("MAINTENIR_BROKER_URL is set: `maintenir worker --beat` runs the periodic tasks.")
        stop = threading.Event()
        stop_on_signals(stop)
        run_schedule(stop, ParentWatch.if_asked(options))
        exit_now()
