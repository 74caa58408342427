from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from maintenir.core.processes import Companions, exit_now

# Seconds the workers, and meanwhile the companions, have to finish what they are doing on SIGTERM before
# they are killed: with the time the processes take to exit, everything is gone within ten seconds.
GRACEFUL_TIMEOUT = 4


def run_server(host: str, port: int, workers: int, companions: Sequence[Sequence[str]] = ()) -> None:
    """Serve the WSGI application with gunicorn in the foreground, with the periodic tasks (without a broker) and
    the given `maintenir` commands as processes of their own, stopped with it."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter

    from maintenir.wsgi import application

    class MaintenirServer(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", 4)
            self.cfg.set("graceful_timeout", GRACEFUL_TIMEOUT)
            self.cfg.set("accesslog", "-")
            # Gunicorn's usual line, and how long the request took.
            self.cfg.set("access_log_format", '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms')
            # Its socket would be one per user account, shared by every server started under it.
            self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            return application

    class MaintenirArbiter(Arbiter):
        """Asks the companions to stop at the same time as the workers, so that they finish together."""

        def handle_term(self) -> None:
            processes.terminate()
            super().handle_term()

        def handle_int(self) -> None:
            processes.terminate()
            super().handle_int()

    commands = [*companions]
    if not settings.CELERY_BROKER_URL:
        commands.insert(0, ["periodic", "--stop-with-parent"])
    processes = Companions(commands)
    # The workers are forked from this process: none may inherit an open database connection.
    connections.close_all()
    processes.start()
    try:
        MaintenirArbiter(MaintenirServer()).run()
    except SystemExit as leaving:
        # How the server stops, and also how each worker leaves (gunicorn's SystemExit); only the server
        # stops the companions.
        processes.stop()
        exit_now(leaving.code)
    finally:
        processes.stop()


class Command(BaseCommand):
    help = "Apply pending migrations, then serve the web UI and API (and, without a broker, the periodic tasks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Maintenir is serving on http://{options['host']}:{options['port']}/")
        run_server(options["host"], options["port"], options["workers"])
