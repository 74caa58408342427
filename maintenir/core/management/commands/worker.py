from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a Celery worker for background tasks (needs MAINTENIR_BROKER_URL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--beat", action="store_true", help="also run the periodic task scheduler")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CELERY_BROKER_URL:
            raise CommandError(
                "MAINTENIR_BROKER_URL is not set: without a broker, tasks already run in the web process."
            )
        from maintenir.celery import app

        argv = ["worker", "--loglevel=INFO", f"--concurrency={options['concurrency']}"]
        if options["beat"]:
            argv.append("--beat")
        app.worker_main(argv)
