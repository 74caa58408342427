"""Tables that users keep in a spreadsheet, read from CSV or Excel (.xlsx) into the same rows.

`read_table` takes an uploaded file or a path, tells CSV from a workbook by its content (an .xlsx file is a zip
archive) and returns `(line, {column: text})` rows with a `CsvErrors` naming the file, so that an importer
checks one kind of row whatever the format. A workbook's first sheet is read; its cells become the text a CSV
cell would hold: numbers without a trailing ".0", dates as YYYY-MM-DD, times and date-times in ISO 8601,
TRUE/FALSE as 1/0, a formula as the value the spreadsheet last computed.
"""

import datetime
import zipfile
from collections.abc import Callable, Iterator, Sequence
from io import BytesIO
from pathlib import Path, PurePath
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.base import File
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from maintenir.core.csvio import CsvErrors, header_columns, named_row, read_csv
from maintenir.core.files import check_size

Rows = list[tuple[int, dict[str, str]]]
T = TypeVar("T")
ZIP_MAGIC = b"PK\x03\x04"
WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm")
# A workbook is compressed XML; refuse one that would unpack into far more than the upload limit allows.
MAX_UNPACKED_RATIO = 20


def read_table(
    source: File | Path, columns: list[str], required: set[str], aliases: dict[str, str] | None = None
) -> tuple[Rows, CsvErrors]:
    """The rows of a CSV file or of a workbook's first sheet, and the errors the importer goes on adding to.

    Raises ValidationError, naming the file, when it cannot be read or its header is wrong.
    """
    name = PurePath(str(source.name or "")).name
    errors = CsvErrors(source=name)
    content = _content(source, name)
    if content.startswith(ZIP_MAGIC) or name.lower().endswith(WORKBOOK_EXTENSIONS):
        return _read_workbook(content, columns, required, aliases, errors), errors
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            {name: _("The file is neither an Excel workbook (.xlsx) nor UTF-8 text (CSV UTF-8).")}
        ) from error
    return read_csv(text, columns, required, errors, aliases), errors


def _content(source: File | Path, name: str) -> bytes:
    limit = settings.MAINTENIR_MAX_IMPORT_MB
    if isinstance(source, Path):
        if not source.is_file():
            raise ValidationError(_("%(path)s is not a file.") % {"path": source})
        source = File(source.open("rb"), name=name)
        with source:
            check_size(source, limit)
            return source.read()
    check_size(source, limit)
    source.seek(0)
    return source.read()


def _read_workbook(
    content: bytes, columns: list[str], required: set[str], aliases: dict[str, str] | None, errors: CsvErrors
) -> Rows:
    unreadable = _("The file is not an Excel workbook (.xlsx) that can be read.")
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise ValidationError({errors.source: unreadable}) from error
    if unpacked > settings.MAINTENIR_MAX_IMPORT_MB * 1024 * 1024 * MAX_UNPACKED_RATIO:
        raise ValidationError({errors.source: _("The workbook unpacks into too much data to be imported.")})
    # openpyxl raises many kinds of error (zip, XML, missing parts, bad values) for a damaged workbook.
    try:
        errors.sheet, table, formulas = _first_sheet(content, computed=False)
        uncomputed = []
        if formulas:
            # The values the spreadsheet computed are kept beside the formulas; a file written by a program
            # that never computed them has none, which must not pass for empty cells.
            computed = _first_sheet(content, computed=True)[1]
            for index, column in formulas:
                value = computed[index][column] if column < len(computed[index]) else None
                if value is None:
                    uncomputed.append((index, column, table[index][column]))
                table[index][column] = value
    except Exception as error:
        raise ValidationError({errors.source: unreadable}) from error
    texts = [[_text(value) for value in values] for values in table]
    names = header_columns(texts[0] if texts else [], columns, required, errors, aliases)
    for index, column, formula in uncomputed:
        errors.add(index + 1, names[column] if column < len(names) else "", _no_value(formula))
    # Empty rows are skipped, as a CSV reader skips blank lines; lines keep the sheet's row numbers.
    rows = enumerate(texts[1:], start=2)
    return [(line, named_row(names, cells, line, errors)) for line, cells in rows if any(cells)]


def _first_sheet(content: bytes, computed: bool) -> tuple[str, list[list[Any]], list[tuple[int, int]]]:
    """The first sheet's title, its values row by row, and where its formulas are (row, column from 0);
    `computed`: the values the spreadsheet last computed instead of the formulas."""
    # Imported here: only an import of a workbook pays for loading openpyxl.
    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(content), read_only=True, data_only=computed)
    try:
        sheet = workbook.worksheets[0]
        # The size a workbook declares may be wrong: read every row there is.
        sheet.reset_dimensions()
        table: list[list[Any]] = []
        formulas: list[tuple[int, int]] = []
        for row, cells in enumerate(sheet.iter_rows()):
            table.append([cell.value for cell in cells])
            formulas.extend((row, column) for column, cell in enumerate(cells) if cell.data_type == "f")
        return sheet.title, table, formulas
    finally:
        workbook.close()


def _no_value(formula: Any) -> str:
    return _("The formula %(formula)s has no computed value: open the file in a spreadsheet and save it again.") % {
        "formula": formula
    }


def _text(value: Any) -> str:
    """A cell's value as the text a CSV file would hold for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def field_aliases(model: type[models.Model], columns: list[str]) -> dict[str, str]:
    """The labels of the columns that are `model`'s fields, in every language of the site, as header aliases:
    a file exported with "Référence interne" over a column imports as well as one headed "reference"."""
    aliases: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for name in columns:
                try:
                    field: Any = model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                aliases[str(field.verbose_name)] = name
    return aliases


Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """For imports nobody watches."""


def counted(items: Sequence[T], stage: str, progress: Progress) -> Iterator[T]:
    """Yield `items`, telling `progress` how many are done about every hundredth of the way, and at the end."""
    total = len(items)
    step = max(1, total // 100)
    progress(stage, 0, total)
    for done, item in enumerate(items, start=1):
        yield item
        if done % step == 0 or done == total:
            progress(stage, done, total)
