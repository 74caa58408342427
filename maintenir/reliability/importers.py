"""`maintenir import history DIR`: the entry point the import command calls."""

import dataclasses
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from maintenir.reliability.history import Progress, import_history


def run(directory: Path, options: dict[str, Any], progress: Progress) -> dict[str, int]:
    if not directory.is_dir():
        raise ValidationError(_("%(path)s is not a directory.") % {"path": directory})
    report = import_history(
        directory, options["organisation"], options["site"], repair_hours=options["repair_hours"], progress=progress
    )
    return dataclasses.asdict(report)
