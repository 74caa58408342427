import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from maintenir.core.choices import Role
from maintenir.core.management.commands.serve import run_server
from maintenir.demo.services import DEMO_PASSWORD, DEMO_USERS, ORGANISATIONS, build_demo


class Command(BaseCommand):
    help = (
        "Run the demonstration: apply migrations, load the demo data into an empty database "
        "(an office building and a factory), print the logins, then serve."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare the data and print the logins, do not serve"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        try:
            created = build_demo()
        except ValidationError as error:
            raise CommandError(f"the demo data could not be created: {'; '.join(error.messages)}") from error
        if created:
            self.stdout.write(f"Demo data created in {time.monotonic() - started:.1f} s.")
        else:
            self.stdout.write("The database already holds data: the demo reuses the data.")
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write("")
        self.stdout.write(f"Demo logins — every password is '{DEMO_PASSWORD}' (demo only, never in production):")
        for user in DEMO_USERS:
            where = f", {ORGANISATIONS[user.organisation][0]}" if user.organisation else ""
            self.stdout.write(f"  {user.username:<10} {Role(user.role).label}{where}")
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("")
        if options["no_serve"]:
            self.stdout.write(
                f"Start the server with: maintenir demo --host {options['host']} --port {options['port']}"
            )
            return
        self.stdout.write("Simulated devices: energy meter and PV inverter over Modbus TCP on 127.0.0.1, polled live;")
        self.stdout.write("the air-handling unit's controller over BACnet/IP on 127.0.0.1:47809, polled and by COV;")
        self.stdout.write("the press's vibration sensor publishes over MQTT when a broker answers on 127.0.0.1:1883.")
        self.stdout.write(f"Open {url} (Ctrl+C stops the server).")
        # The simulated devices and their acquisition run in a process of their own beside the server.
        run_server(options["host"], options["port"], workers=2, companions=[["demo-devices", "--stop-with-parent"]])
