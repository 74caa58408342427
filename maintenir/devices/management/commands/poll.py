import asyncio
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from maintenir.devices import leases
from maintenir.devices.acquisition import poll_all, poll_leased, quiet_library_tasks
from maintenir.devices.partitions import ensure_partitions


class Command(BaseCommand):
    help = (
        "Poll the enabled devices and store their readings until stopped (Ctrl-C or SIGTERM). Several "
        "processes share the devices, each device polled by one of them at a time; when one stops or dies, "
        "the others take its devices over. MQTT readings are stored by `maintenir ingest`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cycles", type=int, help="poll every device this many times, whatever the other pollers hold, and stop"
        )
        parser.add_argument(
            "--lease",
            type=float,
            default=settings.MAINTENIR_POLL_LEASE_SECONDS,
            help="seconds a device is held, renewed every third of it (MAINTENIR_POLL_LEASE_SECONDS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Today's and the next days' readings have their partition before the first is stored.
        ensure_partitions(timezone.now())
        results = asyncio.run(self._run(options["cycles"], max(3.0, options["lease"])))
        for device_id, stats in sorted(results.items()):
            self.stdout.write(
                f"device {device_id}: {stats.cycles} polls, {stats.samples} readings stored, {stats.failures} failed"
            )

    async def _run(self, cycles: int | None, lease_seconds: float) -> Any:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(quiet_library_tasks)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if cycles is not None:
            return await poll_all(stop, cycles)
        poller = leases.poller_name()
        self.stdout.write(f"Polling as {poller}, leases of {lease_seconds:g} s")
        self.stdout.flush()
        return await poll_leased(stop, poller, lease_seconds)
