import asyncio
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from maintenir.devices.mqtt import TOPIC_ROOT, ingest
from maintenir.devices.partitions import ensure_partitions


class Command(BaseCommand):
    help = (
        "Store the readings published to the MQTT broker of MAINTENIR_MQTT_URL until stopped (Ctrl-C or SIGTERM). "
        "Several processes share the readings: the broker gives each message to one of them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--client-id",
            default=settings.MAINTENIR_MQTT_CLIENT_ID,
            help="this process's session at the broker (MAINTENIR_MQTT_CLIENT_ID): its own, the same at each restart",
        )
        parser.add_argument(
            "--group",
            default=settings.MAINTENIR_MQTT_GROUP,
            help="the shared subscription's group (MAINTENIR_MQTT_GROUP), the same for all the processes",
        )
        parser.add_argument("--topic", default=TOPIC_ROOT, help="the readings' topic root")
        parser.add_argument(
            "--leave",
            action="store_true",
            help="remove this client id from the group for good: store what the broker kept for it, end its session",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.MAINTENIR_MQTT_URL:
            raise CommandError("MAINTENIR_MQTT_URL is empty: set it to the broker, e.g. mqtt://127.0.0.1:1883.")
        client_id, group = options["client_id"].strip(), options["group"].strip()
        if not client_id:
            raise CommandError("The client id is empty: the broker keeps this process's session under it.")
        if not group or any(character in group for character in "/+#"):
            raise CommandError("The group is a name without '/', '+' or '#'.")
        # Today's and the next days' readings have their partition before the first is stored.
        ensure_partitions(timezone.now())
        stats = asyncio.run(self._run(client_id, group, options["topic"], options["leave"]))
        self.stdout.write(
            f"MQTT: {stats.messages} messages, {stats.stored} readings stored, "
            f"{sum(stats.rejected.values())} rejected, {stats.redelivered} already stored"
        )

    async def _run(self, client_id: str, group: str, root: str, leave: bool) -> Any:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        self.stdout.write(f"Ingesting {root} from {settings.MAINTENIR_MQTT_URL} as {client_id} (group {group})")
        self.stdout.flush()
        return await ingest(settings.MAINTENIR_MQTT_URL, stop, root=root, client_id=client_id, group=group, leave=leave)
