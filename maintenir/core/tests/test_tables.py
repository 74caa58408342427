"""Tables read from CSV or Excel into the same rows; files that cannot be read are refused by name."""

import contextlib
import datetime
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from maintenir.core.tables import counted, read_table

COLUMNS = ["reference", "quantity", "date"]


def workbook(rows: list[list[Any]], title: str = "Stock") -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_values(content: bytes, values: dict[str, str]) -> bytes:
    """The workbook as a spreadsheet saves it: each formula with the value it computed beside it."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for formula, value in values.items():
                    text = text.replace(f"<f>{formula}</f><v />", f"<f>{formula}</f><v>{value}</v>")
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def upload(content: bytes, name: str = "stock.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_sheet_reads_into_the_rows_a_csv_file_gives() -> None:
    content = workbook(
        [
            ["Reference", "quantity", "date"],
            ["RLT-6205", 4, datetime.datetime(2026, 3, 1)],
            [None, None, None],
            ["BOB-24V", 2.5, datetime.datetime(2026, 3, 1, 7, 30)],
            [" VER-32 ", 1e20, datetime.date(2026, 3, 2)],
        ]
    )
    rows, errors = read_table(upload(content), COLUMNS, {"reference"})
    assert rows == [
        (2, {"reference": "RLT-6205", "quantity": "4", "date": "2026-03-01"}),
        (4, {"reference": "BOB-24V", "quantity": "2.5", "date": "2026-03-01 07:30:00"}),
        (5, {"reference": "VER-32", "quantity": "1e+20", "date": "2026-03-02"}),
    ]
    csv_rows, _errors = read_table(
        upload(b"reference,quantity,date\r\nRLT-6205,4,2026-03-01\r\n", "stock.csv"), COLUMNS, set()
    )
    assert csv_rows[0] == rows[0]
    # As a spreadsheet in French saves CSV.
    french_rows, _errors = read_table(
        upload("\ufeffreference;quantity;date\r\nRLT-6205;4;2026-03-01\r\n".encode(), "stock.csv"), COLUMNS, set()
    )
    assert french_rows[0] == rows[0]
    assert errors.source == "stock.xlsx"
    assert errors.sheet == "Stock"


def test_formulas_read_as_the_values_the_spreadsheet_computed() -> None:
    content = workbook([["reference", "quantity"], ["RLT-6205", "=2*3"], ["BOB-24V", "=1/4"]])
    rows, errors = read_table(upload(with_cached_values(content, {"2*3": "6", "1/4": "0.25"})), COLUMNS, set())
    assert rows == [(2, {"reference": "RLT-6205", "quantity": "6"}), (3, {"reference": "BOB-24V", "quantity": "0.25"})]
    # Without computed values the reader reports them with the rows' other errors, for the importer to raise.
    rows, errors = read_table(upload(content), COLUMNS, set())
    with pytest.raises(ValidationError) as refused:
        errors.raise_if_any()
    assert list(refused.value.message_dict) == [
        "stock.xlsx, sheet Stock, line 2, column quantity",
        "stock.xlsx, sheet Stock, line 3, column quantity",
    ]
    assert (
        "The formula =2*3 has no computed value"
        in refused.value.message_dict["stock.xlsx, sheet Stock, line 2, column quantity"][0]
    )


def test_header_errors_name_the_file_and_the_sheet() -> None:
    content = workbook([["reference", "colour"], ["RLT-6205", "red"]])
    with pytest.raises(ValidationError) as refused:
        read_table(upload(content), COLUMNS, {"reference", "quantity"})
    assert set(refused.value.message_dict) == {
        "stock.xlsx, sheet Stock, line 1, column colour",
        "stock.xlsx, sheet Stock, line 1, column quantity",
    }


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("stock.xlsx", b"reference\nRLT\n", "is not an Excel workbook (.xlsx) that can be read"),
        ("stock.csv", b"PK\x03\x04 not really a zip", "is not an Excel workbook (.xlsx) that can be read"),
        ("stock.csv", b"reference\n\xff\xfe\n", "neither an Excel workbook (.xlsx) nor UTF-8 text"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_by_name(name: str, content: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        read_table(upload(content, name), COLUMNS, set())
    assert list(refused.value.message_dict) == [name]
    assert message in " ".join(refused.value.messages)


def test_a_workbook_that_is_a_zip_of_something_else_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ValidationError, match="not an Excel workbook"):
        read_table(upload(out.getvalue()), COLUMNS, set())


@override_settings(MAINTENIR_MAX_IMPORT_MB=0.001)
def test_a_file_over_the_import_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("reference\n" + "RLT-6205\n" * 200)
    with pytest.raises(ValidationError, match="too large"):
        read_table(path, COLUMNS, set())
    with pytest.raises(ValidationError, match="too large"):
        read_table(upload(path.read_bytes(), "big.csv"), COLUMNS, set())


@override_settings(MAINTENIR_MAX_IMPORT_MB=0.01)
def test_a_workbook_that_unpacks_into_too_much_is_refused() -> None:
    # Zeros compress about a thousandfold: a small upload that would unpack into megabytes of XML.
    content = workbook([["reference"], ["0" * 32000] * 1] * 20)
    assert len(content) < 10_000
    with pytest.raises(ValidationError, match="unpacks into too much"):
        read_table(upload(content), COLUMNS, set())


cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(9999, 1, 1)),
    st.dates(min_value=datetime.date(1900, 3, 1)),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=40),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cells, max_size=5), max_size=6))
def test_any_cells_read_into_rows_or_a_validation_error(rows: list[list[Any]]) -> None:
    """Whatever a sheet holds, the reader gives text rows or refuses with ValidationError, never another error."""
    try:
        found, _errors = read_table(upload(workbook(rows)), COLUMNS, {"reference"})
    except ValidationError:
        return
    for _line, row in found:
        assert set(row) <= set(COLUMNS)
        assert all(isinstance(value, str) for value in row.values())


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["table.csv", "table.xlsx", "table"]))
def test_any_bytes_read_into_rows_or_a_validation_error(content: bytes, name: str) -> None:
    with contextlib.suppress(ValidationError):
        read_table(upload(content, name), COLUMNS, set())


def test_progress_is_told_every_hundredth_and_at_the_end() -> None:
    told: list[tuple[str, int, int]] = []
    assert list(counted(range(250), "checking", lambda *args: told.append(args))) == list(range(250))
    assert told[0] == ("checking", 0, 250)
    assert told[-1] == ("checking", 250, 250)
    assert 100 <= len(told) <= 130
    told.clear()
    assert list(counted([], "writing", lambda *args: told.append(args))) == []
    assert told == [("writing", 0, 0)]
