import importlib
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

# Kind → the module whose `run(directory, options, progress)` imports it and returns its counts.
IMPORTS = {
    "history": "maintenir.reliability.importers",
    **dict.fromkeys(("parts", "equivalences", "stock", "suppliers"), "maintenir.stores.importers"),
}
BAR_WIDTH = 30


def progress_bar(stage: str, done: int, total: int) -> None:
    """The import's progress on stderr, redrawn in place; a new line once everything is written."""
    share = done / total if total else 1.0
    filled = round(BAR_WIDTH * share)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%} {stage:<10}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


class Command(BaseCommand):
    help = "Import data from files, all or nothing; errors name the file, the line and the column."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTS))
        parser.add_argument(
            "directory",
            type=Path,
            help="the directory holding the files (history), or the CSV or Excel (.xlsx) file (the stores' kinds)",
        )
        parser.add_argument("--organisation", default="azure-pdm", help="client organisation code (created if new)")
        parser.add_argument("--site", default="azure-pdm", help="site code (created if new)")
        parser.add_argument(
            "--user", help="stock: the user the opening stock is received by (default: the first administrator)"
        )
        parser.add_argument(
            "--repair-hours",
            type=float,
            default=8.0,
            help="history: how long each failure kept its machine down (the data set does not say)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["directory"].exists():
            raise CommandError(f"{options['directory']} does not exist.")
        module = importlib.import_module(IMPORTS[options["kind"]])
        try:
            counts = module.run(options["directory"], options, progress_bar)
        except ValidationError as error:
            places = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            lines = [
                f"{place}: {' '.join(messages)}" if place else " ".join(messages) for place, messages in places.items()
            ]
            raise CommandError("Nothing was imported:\n" + "\n".join(lines)) from error
        self.stdout.write(", ".join(f"{name.replace('_', ' ')}: {value}" for name, value in counts.items()))
