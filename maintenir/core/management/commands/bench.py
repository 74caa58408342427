import importlib
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from psycopg import sql

# Benchmark → (module, its options: the first gives its size); each option is an argument of the module's run().
BENCHMARKS = {
    "preventive": ("benchmarks.preventive", ("triggers",)),
    "ingest": ("benchmarks.ingest", ("readings",)),
    "ingest-fleet": ("benchmarks.ingest_fleet", ("readings",)),
    "poll": ("benchmarks.poll", ("devices", "seconds")),
    "history": ("benchmarks.history", ("readings",)),
    "kpi": ("benchmarks.kpi", ("orders",)),
    "plan": ("benchmarks.plan", ("orders", "technicians")),
    "stores": ("benchmarks.stores", ("movements", "parts", "locations", "seconds")),
    "scale": ("benchmarks.scale", ("orders", "readings", "samples", "clients", "seconds")),
}
# --orders and --seconds size two benchmarks differently.
DEFAULT_ORDERS = {"kpi": 1_000_000, "plan": 500, "scale": 200_000}
DEFAULT_SECONDS = {"poll": 60, "stores": 20, "scale": 10}
DEFAULT_READINGS = {"scale": 2_000_000}


class Command(BaseCommand):
    help = (
        "Run a benchmark on a throwaway database (SQLite by default) and print its figures "
        "beside a baseline measured in the same run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(BENCHMARKS))
        parser.add_argument("--triggers", type=int, default=100_000, help="number of triggers (preventive)")
        parser.add_argument(
            "--readings", type=int, help="number of readings (ingest, history: default 1 000 000; scale 2 000 000)"
        )
        parser.add_argument(
            "--orders", type=int, help="number of work orders (default: kpi 1 000 000, plan 500, scale 200 000)"
        )
        parser.add_argument("--technicians", type=int, default=40, help="number of technicians (plan)")
        parser.add_argument("--devices", type=int, default=500, help="number of simulated Modbus devices (poll)")
        parser.add_argument(
            "--seconds",
            type=int,
            help="how long the devices are polled (poll, default 60), the issuers issue (stores, default 20) or "
            "the clients ask (scale, default 10 per route)",
        )
        parser.add_argument("--samples", type=int, default=40, help="timed requests per route and size (scale)")
        parser.add_argument("--clients", type=int, default=50, help="concurrent clients of the throughput (scale)")
        parser.add_argument("--parts", type=int, default=100_000, help="number of catalogue parts (stores)")
        parser.add_argument("--locations", type=int, default=200, help="number of stock locations (stores)")
        parser.add_argument(
            "--movements", type=int, default=10_000_000, help="number of stock ledger movements (stores)"
        )
        parser.add_argument(
            "--database",
            help="a postgres:// URL of a server where a throwaway database is created and dropped (default: SQLite)",
        )
        parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
        parser.add_argument(
            "--in-place", action="store_true", help="run on the configured database, which must be empty"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["orders"] is None:
            options["orders"] = DEFAULT_ORDERS.get(options["name"])
        if options["seconds"] is None:
            options["seconds"] = DEFAULT_SECONDS.get(options["name"])
        if options["readings"] is None:
            options["readings"] = DEFAULT_READINGS.get(options["name"], 1_000_000)
        for option in BENCHMARKS[options["name"]][1]:
            if options[option] < 1:
                raise CommandError(f"--{option} must be at least 1.")
        if options["in_place"]:
            self._run_here(options)
            return
        with tempfile.TemporaryDirectory(prefix="maintenir-bench-") as data_dir:
            if options["database"]:
                with throwaway_postgres(options["database"]) as url:
                    self._run_in_child(options, url, data_dir)
            else:
                self._run_in_child(options, f"sqlite:///{Path(data_dir) / 'bench.sqlite3'}", data_dir)

    def _run_in_child(self, options: dict[str, Any], url: str, data_dir: str) -> None:
        command = [sys.executable, "-m", "maintenir", "bench", options["name"], "--in-place"]
        for option in BENCHMARKS[options["name"]][1]:
            command += [f"--{option}", str(options[option])]
        command += ["--json"] if options["json"] else []
        env = {**os.environ, "MAINTENIR_DATABASE_URL": url, "MAINTENIR_DATA_DIR": data_dir}
        if subprocess.run(command, env=env, check=False).returncode:  # noqa: S603
            raise CommandError("The benchmark failed.")

    def _run_here(self, options: dict[str, Any]) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        module_name, module_options = BENCHMARKS[options["name"]]
        module = importlib.import_module(module_name)
        figures = module.run(**{option: options[option] for option in module_options})
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        # A benchmark whose figures are nested lays them out itself.
        if hasattr(module, "render"):
            self.stdout.write(module.render(figures))
            return
        width = max(len(key) for key in figures)
        for key, value in figures.items():
            self.stdout.write(f"{key.replace('_', ' '):<{width}}  {value}")


class throwaway_postgres:
    """Create a database beside the one in `url`, yield its URL, drop it afterwards."""

    def __init__(self, url: str) -> None:
        config = dj_database_url.parse(url)
        if "postgresql" not in config["ENGINE"]:
            raise CommandError("--database: only postgres:// URLs are supported (SQLite is the default).")
        self.url = url
        self.name = f"maintenir_bench_{uuid.uuid4().hex[:8]}"
        self.conninfo = psycopg.conninfo.make_conninfo(
            dbname=config["NAME"] or "postgres",
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            host=config["HOST"] or None,
            port=config["PORT"] or None,
        )

    def __enter__(self) -> str:
        try:
            with psycopg.connect(self.conninfo, autocommit=True) as server:
                server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        except psycopg.Error as error:
            raise CommandError(f"--database: cannot create a throwaway database: {error}") from error
        base, _, _ = self.url.partition("?")
        return base.rsplit("/", 1)[0] + "/" + self.name

    def __exit__(self, *exc: object) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as server:
            server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
