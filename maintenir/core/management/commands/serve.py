from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def run_server(host: str, port: int, workers: int) -> None:
    """Serve the WSGI application with gunicorn in the foreground."""
    from gunicorn.app.base import BaseApplication

    from maintenir.core.periodic import start_in_process_scheduler
    from maintenir.wsgi import application

    class MaintenirServer(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", 4)
            self.cfg.set("accesslog", "-")

        def load(self) -> Any:
            return application

    # In the server's main process, which outlives its workers.
    start_in_process_scheduler()
    MaintenirServer().run()


class Command(BaseCommand):
    help = "Apply pending migrations, then serve the web UI and API."

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
