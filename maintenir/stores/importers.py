"""The parts catalogue from a CSV file, all or nothing (`maintenir import parts FILE`)."""

import dataclasses
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maintenir.core.csvio import CsvErrors, ImportReport, cell_value, read_csv
from maintenir.stores.models import Part

COLUMNS = [
    *("reference", "description", "manufacturer", "manufacturer_reference", "unit", "category"),
    *("technology", "criticality", "barcode", "superseded_by"),
]
REQUIRED = {"reference", "description"}
# Written as they are: the rest go through their model field.
FIELDS = [name for name in COLUMNS if name != "superseded_by"]


@transaction.atomic
def import_parts(text: str) -> ImportReport:
    """Create or update the company's catalogue entries by internal reference; `superseded_by` names another
    part by its reference, in the file or already in the catalogue. Every row is checked before anything is
    kept; the errors name the line and the column."""
    errors = CsvErrors()
    rows = read_csv(text, COLUMNS, REQUIRED, errors)
    catalogue = {part.reference: part for part in Part.objects.filter(owner=None)}
    report = ImportReport()
    saved: list[tuple[int, Part, str]] = []
    for line, row in rows:
        values = {name: cell_value(Part, name, row.get(name, ""), line, errors) for name in FIELDS}
        part = catalogue.get(values["reference"]) or Part()
        before = part.changelog_data()
        for name, value in values.items():
            setattr(part, name, value)
        try:
            part.full_clean(exclude=["superseded_by", "photo"], validate_unique=part.pk is None)
        except ValidationError as error:
            errors.add_validation(line, error)
            continue
        if part.pk is None:
            report.created += 1
        elif part.changelog_data() != before:
            report.updated += 1
        else:
            report.unchanged += 1
        part.save()
        catalogue[part.reference] = part
        saved.append((line, part, row.get("superseded_by", "")))
    for line, part, successor in saved:
        if successor and successor not in catalogue:
            errors.add(line, "superseded_by", _("No part %(reference)s.") % {"reference": successor})
        elif successor and catalogue[successor].pk == part.pk:
            errors.add(line, "superseded_by", _("A part cannot supersede itself."))
        elif (successor and catalogue[successor].pk) != (part.superseded_by_id or ""):
            part.superseded_by = catalogue[successor] if successor else None
            part.save(update_fields=["superseded_by", "last_updated"])
    # Raising undoes the whole import, rows already saved included.
    errors.raise_if_any()
    return report


def run(path: Path, options: dict[str, Any], progress: Any) -> dict[str, int]:
    if not path.is_file():
        raise ValidationError(_("%(path)s is not a file.") % {"path": path})
    return dataclasses.asdict(import_parts(path.read_text(encoding="utf-8-sig")))
