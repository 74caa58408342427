"""CSV files that users edit in a spreadsheet: read, written and checked the same way everywhere.

An import built on these helpers is all or nothing: every row is checked first, and the errors
name the line and the column ("line 4, column expected_max"); a quoted cell may span lines.

Every cell goes through `neutralise` on export and `restore` on import, so that a spreadsheet
never runs text as a formula and a file exported then imported gives back exactly what it held.
"""

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

MAX_ERRORS = 50
TRUE = {"1", "true", "yes", "oui", "vrai", "x"}
FALSE = {"0", "false", "no", "non", "faux", ""}

# What a spreadsheet may read as the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number is data even when it starts with a sign: it stays a number in the spreadsheet.
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _needs_quote(text: str) -> bool:
    """Text a spreadsheet could take for a formula, also behind quotes that are the text's own.

    Quoted text counts too so that `restore` removes only the quote `neutralise` added: "'=x"
    is written "''=x" and read back as "'=x".
    """
    unquoted = text.lstrip("'")
    return unquoted.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(unquoted)


def neutralise(value: Any) -> str:
    """A cell as written: the rule is by value, not by column, so one helper serves every file.

    Text starting with =, +, -, @, a tab or a carriage return gets a leading single quote, which
    spreadsheets show as text; a plain number (-2.5, +1e3) is written as it is, whatever its column.
    """
    text = "" if value is None else str(value)
    return "'" + text if _needs_quote(text) else text


def restore(cell: str) -> str:
    """A cell as read: the quote `neutralise` added is removed, and only that one."""
    return cell[1:] if cell.startswith("'") and _needs_quote(cell[1:]) else cell


@dataclass
class ImportReport:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class CsvErrors:
    """Errors keyed "line N, column C", at most MAX_ERRORS of them; with the file's name (and the sheet's, for a
    workbook) in front when the import reads an uploaded or named file."""

    def __init__(self, source: str = "", sheet: str = "") -> None:
        self.by_place: dict[str, list[str]] = {}
        self.source = source
        self.sheet = sheet

    def add(self, line: int, column: str, messages: Sequence[str] | str) -> None:
        place = _("line %(line)d, column %(column)s") % {"line": line, "column": column or "-"}
        if self.sheet:
            place = _("sheet %(sheet)s, %(place)s") % {"sheet": self.sheet, "place": place}
        self.add_to_file(place, messages)

    def add_to_file(self, place: str, messages: Sequence[str] | str) -> None:
        """An error about the whole file (`place` empty) or a place in it."""
        if len(self.by_place) < MAX_ERRORS:
            place = ", ".join(part for part in (self.source, place) if part)
            self.by_place.setdefault(place, []).extend([messages] if isinstance(messages, str) else messages)

    def add_validation(self, line: int, error: ValidationError, columns: dict[str, str] | None = None) -> None:
        for name, messages in error.message_dict.items():
            self.add(line, (columns or {}).get(name, "" if name == "__all__" else name), messages)

    def raise_if_any(self) -> None:
        if self.by_place:
            raise ValidationError(self.by_place)


def write_csv(columns: list[str], rows: Iterator[dict[str, Any]]) -> str:
    out = io.StringIO()
    # RFC 4180 line ends: with them the writer also quotes a cell holding a lone carriage return.
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: neutralise(row.get(name)) for name in columns})
    return out.getvalue()


def header_columns(
    header: Sequence[str],
    columns: list[str],
    required: set[str],
    errors: CsvErrors,
    aliases: dict[str, str] | None = None,
) -> list[str]:
    """The column each header cell names ("" for an empty one), reported on line 1 when one is unknown or a
    required one is missing. A header matches a column's name or one of its `aliases` (such as its label in
    French), whatever the case and the spaces around it."""
    known = {name.casefold(): name for name in columns} | {
        alias.casefold(): name for alias, name in (aliases or {}).items()
    }
    names = [known.get(cell.strip().casefold(), "") for cell in header]
    for cell, name in zip(header, names, strict=True):
        if cell.strip() and not name:
            errors.add(1, cell, _("Unknown column; the columns are: %(columns)s.") % {"columns": ", ".join(columns)})
    for name in [name for name in columns if name in required and name not in names]:
        errors.add(1, name, _("This column is missing."))
    errors.raise_if_any()
    return names


def named_row(names: list[str], cells: list[str], line: int, errors: CsvErrors) -> dict[str, str]:
    """A row's cells under their columns' names, every column present ("" when empty)."""
    if any(cells[len(names) :]):
        errors.add(line, "", _("More values than columns."))
    row = dict.fromkeys((name for name in names if name), "")
    row.update((name, cell) for name, cell in zip(names, cells, strict=False) if name)
    return row


def read_csv(
    text: str, columns: list[str], required: set[str], errors: CsvErrors, aliases: dict[str, str] | None = None
) -> list[tuple[int, dict[str, str]]]:
    """The data rows with their line numbers, every column present ("" when empty); a bad header is reported on
    line 1. Cells are separated by commas, or by semicolons when the header has semicolons and no comma (what a
    spreadsheet in French saves as CSV)."""
    text = text.lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=";" if ";" in header and "," not in header else ",")
    rows = []
    try:
        names = header_columns(next(reader, []), columns, required, errors, aliases)
        # A quoted cell may span lines: a row is named by the line it starts on.
        previous_end = reader.line_num
        for values in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if values:
                rows.append((line, named_row(names, [_cell(value) for value in values], line, errors)))
    except csv.Error as error:
        errors.add(reader.line_num, "", _("The file is not valid CSV: %(error)s") % {"error": error})
        errors.raise_if_any()
    return rows


def _cell(value: str) -> str:
    """Stray spaces around a plain cell are dropped; a neutralised cell is kept exactly."""
    restored = restore(value)
    return restored if restored != value else value.strip()


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
