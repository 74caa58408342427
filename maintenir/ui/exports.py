"""Any list downloaded as CSV or Excel, with the rows the page shows (its filters, its user's tenancy).

Adding the download to a list is one line. On a page built on `filtered_list`, pass the columns:

    return filtered_list(request, queryset, FilterSet, "app/list.html", export=Export("parts", PART_COLUMNS))

Elsewhere, in the view, before rendering:

    if response := export_response(request, rows, Export("balances", BALANCE_COLUMNS)):
        return response

and in the template `{% include "ui/includes/export_links.html" %}` (links keeping the page's query string,
with `?export=csv` or `?export=xlsx`). `rows` must already be restricted to the user (`.restrict(user)`), so a
download never holds more than the page; a queryset is read in chunks. Columns are `(header, accessor)` pairs:
the accessor is an attribute path ("part.reference", "get_kind_display") or a function of the row. Choose
headers that an importer accepts (a field's label) where the list can be imported back.

CSV files are written as the project's other CSV exports (`core.csvio.write_csv`: UTF-8, commas, cells that a
spreadsheet could run neutralised); workbooks have typed cells (numbers, dates), a bold frozen header and columns
as wide as their content.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from itertools import chain, islice
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from maintenir.core.csvio import write_csv

Column = tuple[Any, str | Callable[[Any], Any]]
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Rows looked at to size the workbook's columns (it is written as a stream, so the rest come later).
SIZING_ROWS = 200
MAX_WIDTH = 60


@dataclass(frozen=True)
class Export:
    """What a list downloads as: the file's name (without extension) and its columns."""

    name: str
    columns: Sequence[Column]


def export_response(request: HttpRequest, rows: Iterable[Any], export: Export) -> HttpResponse | None:
    """The download asked for by `?export=csv|xlsx`, or None when the page itself is asked for."""
    kind = request.GET.get("export", "")
    if kind not in FORMATS:
        return None
    headers = [str(header) for header, _accessor in export.columns]
    values = (_values(row, export.columns) for row in _each(rows))
    if kind == "csv":
        content: str | bytes = write_csv(headers, (dict(zip(headers, row, strict=True)) for row in values))
    else:
        content = _workbook(export.name, headers, values)
    response = HttpResponse(content, content_type=FORMATS[kind])
    response["Content-Disposition"] = f'attachment; filename="{export.name}.{kind}"'
    return response


def _each(rows: Iterable[Any]) -> Iterator[Any]:
    return rows.iterator(chunk_size=2000) if isinstance(rows, QuerySet) else iter(rows)


def _values(row: Any, columns: Sequence[Column]) -> list[Any]:
    return [_cell(_get(row, accessor)) for _header, accessor in columns]


def _get(row: Any, accessor: str | Callable[[Any], Any]) -> Any:
    if callable(accessor):
        return accessor(row)
    value = row
    for name in accessor.split("."):
        value = getattr(value, name, None) if value is not None else None
    return value() if callable(value) else value


def _cell(value: Any) -> Any:
    """Values as a file holds them: aware times in the site's time zone (spreadsheets know no time zones),
    lazy translations and objects as text."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date | datetime.time | str):
        return value
    return str(value)


def _workbook(title: str, headers: list[str], values: Iterator[list[Any]]) -> bytes:
    # Imported here: only a workbook download pays for loading openpyxl.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    first = list(islice(values, SIZING_ROWS))
    for index, header in enumerate(headers, start=1):
        width = max([len(header), *(len(_shown(row[index - 1])) for row in first)])
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, width + 2)
    sheet.freeze_panes = "A2"

    def cell(value: Any) -> Any:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        written = WriteOnlyCell(sheet, value)
        if isinstance(value, str):
            # Text stays text, even when it starts with "=": a download never carries a formula.
            written.data_type = "s"
        elif isinstance(value, datetime.datetime):
            written.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, datetime.date):
            written.number_format = "yyyy-mm-dd"
        return written

    bold = Font(bold=True)
    header_cells = [WriteOnlyCell(sheet, header) for header in headers]
    for header_cell in header_cells:
        header_cell.font = bold
    sheet.append(header_cells)
    for row in chain(first, values):
        sheet.append([cell(value) for value in row])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _shown(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return "yyyy-mm-dd hh:mm"
    return "" if value is None else str(value)
