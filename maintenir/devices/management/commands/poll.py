import asyncio
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from maintenir.devices.acquisition import poll_all, quiet_library_tasks
from maintenir.devices.mqtt import ingest
from maintenir.devices.partitions import ensure_partitions


class Command(BaseCommand):
    help = (
        "Poll every enabled device and store its readings, and ingest the readings published to "
        "MAINTENIR_MQTT_URL, until stopped (Ctrl-C or SIGTERM)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycles", type=int, help="stop after this many polls of each device")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.MAINTENIR_MQTT_URL and not settings.MAINTENIR_MQTT_CLIENT_ID.strip():
            raise CommandError(
                "MAINTENIR_MQTT_CLIENT_ID is empty: the broker keeps the ingestion's session under this id."
            )
        # Today's and the next days' readings have their partition before the first is stored.
        ensure_partitions(timezone.now())
        results = asyncio.run(self._run(options["cycles"]))
        for device_id, stats in sorted(results.items()):
            self.stdout.write(
                f"device {device_id}: {stats.cycles} polls, {stats.samples} readings stored, {stats.failures} failed"
            )

    async def _run(self, cycles: int | None) -> Any:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(quiet_library_tasks)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        ingestion = None
        if settings.MAINTENIR_MQTT_URL and cycles is None:
            client_id = settings.MAINTENIR_MQTT_CLIENT_ID
            ingestion = asyncio.create_task(ingest(settings.MAINTENIR_MQTT_URL, stop, client_id=client_id))
        results = await poll_all(stop, cycles)
        if ingestion is not None:
            await stop.wait()
            stats = await ingestion
            self.stdout.write(f"MQTT: {stats.messages} messages, {stats.stored} readings stored")
        return results
