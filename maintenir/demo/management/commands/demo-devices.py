import asyncio
import signal
from typing import Any

from django.core.management.base import BaseCommand

from maintenir.demo.live import run


class Command(BaseCommand):
    help = (
        "The demo's live side, started by `maintenir demo`: the simulated devices on 127.0.0.1 and the "
        "acquisition service that polls them, until stopped (Ctrl-C or SIGTERM)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(stop)
