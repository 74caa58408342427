import asyncio
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from maintenir.devices.acquisition import poll_all


class Command(BaseCommand):
    help = "Poll every enabled device and store its readings, until stopped (Ctrl-C or SIGTERM)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycles", type=int, help="stop after this many polls of each device")

    def handle(self, *args: Any, **options: Any) -> None:
        results = asyncio.run(self._run(options["cycles"]))
        for device_id, stats in sorted(results.items()):
            self.stdout.write(
                f"device {device_id}: {stats.cycles} polls, {stats.samples} readings stored, {stats.failures} failed"
            )

    async def _run(self, cycles: int | None) -> Any:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        return await poll_all(stop, cycles)
