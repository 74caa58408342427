import asyncio
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from maintenir.core.processes import ParentWatch, exit_now
from maintenir.demo.live import run


class Command(BaseCommand):
    help = (
        "The demo's live side, started by `maintenir demo`: the simulated devices on 127.0.0.1 and the "
        "acquisition service that polls them, until stopped (Ctrl-C or SIGTERM)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        ParentWatch.add_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        asyncio.run(self._run(ParentWatch.if_asked(options)))
        exit_now()

    async def _run(self, watch: ParentWatch | None) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        watching = asyncio.create_task(stop_when_orphaned(watch, stop)) if watch is not None else None
        await run(stop)
        if watching is not None:
            await watching


async def stop_when_orphaned(watch: ParentWatch, stop: asyncio.Event) -> None:
    while not stop.is_set():
        if not watch.parent_alive():
            stop.set()
            return
        await asyncio.sleep(1)
