"""CSV files that users edit in a spreadsheet: read, written and checked the same way everywhere.

An import built on these helpers is all or nothing: every row is checked first, and the errors
name the line and the column ("line 4, column expected_max"); a quoted cell may span lines.
"""

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

MAX_ERRORS = 50
TRUE = {"1", "true", "yes", "oui", "vrai", "x"}
FALSE = {"0", "false", "no", "non", "faux", ""}


@dataclass
class ImportReport:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class CsvErrors:
    """Errors keyed "line N, column C", at most MAX_ERRORS of them."""

    def __init__(self) -> None:
        self.by_place: dict[str, list[str]] = {}

    def add(self, line: int, column: str, messages: Sequence[str] | str) -> None:
        if len(self.by_place) < MAX_ERRORS:
            place = _("line %(line)d, column %(column)s") % {"line": line, "column": column or "-"}
            self.by_place.setdefault(place, []).extend([messages] if isinstance(messages, str) else messages)

    def add_validation(self, line: int, error: ValidationError, columns: dict[str, str] | None = None) -> None:
        for name, messages in error.message_dict.items():
            self.add(line, (columns or {}).get(name, "" if name == "__all__" else name), messages)

    def raise_if_any(self) -> None:
        if self.by_place:
            raise ValidationError(self.by_place)


def write_csv(columns: list[str], rows: Iterator[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: "" if row.get(name) is None else row[name] for name in columns})
    return out.getvalue()


def read_csv(text: str, columns: list[str], required: set[str], errors: CsvErrors) -> list[tuple[int, dict[str, str]]]:
    """The data rows with their line numbers; a bad header is reported on line 1."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    for name in sorted(required - set(header)):
        errors.add(1, name, _("This column is missing."))
    for name in header:
        if name not in columns:
            errors.add(1, name, _("Unknown column; the columns are: %(columns)s.") % {"columns": ", ".join(columns)})
    errors.raise_if_any()
    rows = []
    # A quoted cell may span lines: a row is named by the line it starts on.
    previous_end = reader.line_num
    for row in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if None in row:
            errors.add(line, "", _("More values than columns."))
        rows.append((line, {name: (value or "").strip() for name, value in row.items() if name}))
    return rows


def cell_value(model: type[models.Model], name: str, raw: str, line: int, errors: CsvErrors) -> Any:
    """A cell as the model field's Python value; empty cells take the field's default."""
    field: Any = model._meta.get_field(name)
    if isinstance(field, models.BooleanField):
        if raw.lower() not in TRUE | FALSE:
            errors.add(line, name, _("Write 1 or 0 (yes or no)."))
        return raw.lower() in TRUE
    if raw == "":
        return field.get_default() if field.has_default() else (None if field.null else "")
    try:
        return field.to_python(raw)
    except ValidationError as error:
        errors.add(line, name, error.messages)
        return None
