"""Stores data in and out: every kind from CSV and Excel, all or nothing, errors by file, sheet, line and column;
a catalogue downloaded then imported again changes nothing."""

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import translation
from openpyxl import Workbook, load_workbook

from maintenir.stores import exports, importers
from maintenir.stores.models import Interchangeability, Part, StockBalance, StockMovement, Supplier, SupplierPart
from maintenir.stores.tests.factories import (
    InterchangeabilityFactory,
    LocationFactory,
    PartFactory,
    SupplierPartFactory,
)
from maintenir.ui.exports import export_response

D = Decimal


def csv_file(text: str, name: str = "data.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


def xlsx_file(rows: list[list[Any]], name: str = "data.xlsx", title: str = "Data") -> SimpleUploadedFile:
    book = Workbook()
    sheet: Any = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def refused(call: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


# --- Equivalences ------------------------------------------------------------------------------------------------


def test_equivalences_are_created_and_updated_from_csv(manager: Any) -> None:
    skf, fag, nsk = (PartFactory(reference=reference) for reference in ("RLT-SKF", "RLT-FAG", "RLT-NSK"))
    InterchangeabilityFactory(part=skf, replacement=fag, mutual=False)
    report = importers.import_equivalences(
        manager,
        csv_file("part,replacement,mutual,condition\nRLT-SKF,RLT-FAG,1,\nRLT-SKF,RLT-NSK,0,with shim ring\n"),
    )
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert Interchangeability.objects.get(part=skf, replacement=fag).mutual
    assert Interchangeability.objects.get(part=skf, replacement=nsk).condition == "with shim ring"


def test_equivalence_errors_name_sheet_line_and_column_and_nothing_is_written(manager: Any) -> None:
    PartFactory(reference="RLT-SKF")
    PartFactory(reference="RLT-FAG")
    upload = xlsx_file(
        [
            ["part", "replacement", "mutual"],
            ["RLT-SKF", "RLT-FAG", 1],
            ["RLT-SKF", "RLT-SKF", 0],
            ["RLT-SKF", "RLT-UNKNOWN", "maybe"],
        ],
        name="equivalences.xlsx",
        title="Roulements",
    )
    errors = refused(lambda: importers.import_equivalences(manager, upload))
    assert errors == {
        "equivalences.xlsx, sheet Roulements, line 3, column replacement": ["A part cannot replace itself."],
        "equivalences.xlsx, sheet Roulements, line 4, column replacement": ["No part RLT-UNKNOWN."],
        "equivalences.xlsx, sheet Roulements, line 4, column mutual": ["Write 1 or 0 (yes or no)."],
    }
    assert not Interchangeability.objects.exists()


# --- Opening stock -----------------------------------------------------------------------------------------------


def test_opening_stock_is_received_at_its_cost(manager: Any) -> None:
    bearing = PartFactory(reference="RLT-6205")
    store = LocationFactory(code="lyon-central")
    told: list[tuple[str, int, int]] = []
    report = importers.import_opening_stock(
        manager,
        xlsx_file([["Location", "Part", "Quantity", "Unit cost"], ["lyon-central", "RLT-6205", 12, 7.2]]),
        lambda *args: told.append(args),
    )
    assert report.created == 1
    balance = StockBalance.objects.get(part=bearing, location=store)
    assert (balance.on_hand, balance.average_cost) == (D(12), D("7.2"))
    movement = StockMovement.objects.get()
    assert (movement.reference, movement.user) == ("Opening stock", manager)
    # Checked, then written, each told up to its last row.
    assert [stage for stage, done, total in told if done == total] == ["checking", "writing"]


def test_opening_stock_is_named_in_french_and_read_under_french_headers(manager: Any) -> None:
    PartFactory(reference="RLT-6205")
    LocationFactory(code="lyon-central")
    with translation.override("fr"):
        importers.import_opening_stock(
            manager,
            csv_file("Emplacement,Pièce,Quantité,Coût unitaire\nlyon-central,RLT-6205,3,7.20\n"),
        )
    assert StockMovement.objects.get().reference == "Stock initial"


def test_opening_stock_errors_and_a_second_opening_is_refused(manager: Any) -> None:
    bearing = PartFactory(reference="RLT-6205")
    PartFactory(reference="BOB-24V")
    store = LocationFactory(code="lyon-central")
    importers.import_opening_stock(manager, csv_file("location,part,quantity,unit_cost\nlyon-central,RLT-6205,2,5\n"))
    upload = csv_file(
        "location,part,quantity,unit_cost\n"
        "lyon-central,BOB-24V,4,9.5\n"
        "lyon-central,RLT-6205,1,5\n"
        "nowhere,BOB-24V,0,-1\n"
        "lyon-central,BOB-24V,x,\n"
        "lyon-central,RLT-6205,1e20,0.00001\n",
        name="stock.csv",
    )
    errors = refused(lambda: importers.import_opening_stock(manager, upload))
    assert errors == {
        "stock.csv, line 3, column part": [
            "RLT-6205 already has stock movements at lyon-central: correct it with a count."
        ],
        "stock.csv, line 4, column location": ["No stock location with code nowhere."],
        "stock.csv, line 4, column quantity": ["The quantity must be more than zero."],
        "stock.csv, line 4, column unit_cost": ["A price cannot be negative."],
        "stock.csv, line 5, column quantity": ["“x” value must be a decimal number."],
        "stock.csv, line 5, column unit_cost": ["This field cannot be blank."],
        "stock.csv, line 5, column part": ["Already given on line 2."],
        "stock.csv, line 6, column part": [
            "Already given on line 3.",
            "RLT-6205 already has stock movements at lyon-central: correct it with a count.",
        ],
        "stock.csv, line 6, column quantity": ["Ensure that there are no more than 12 digits in total."],
        "stock.csv, line 6, column unit_cost": ["Ensure that there are no more than 4 decimal places."],
    }
    # All or nothing: the good first row was not received either.
    assert StockMovement.objects.count() == 1
    assert StockBalance.objects.get(part=bearing, location=store).on_hand == 2


# --- Supplier prices ---------------------------------------------------------------------------------------------


def test_supplier_prices_create_suppliers_and_update_offers(manager: Any) -> None:
    offer = SupplierPartFactory(part=PartFactory(reference="RLT-6205"), supplier__name="Bearings & Co", price=D(8))
    PartFactory(reference="BOB-24V")
    report = importers.import_supplier_prices(
        manager,
        xlsx_file(
            [
                ["supplier", "part", "supplier_reference", "price", "minimum_order", "lead_time_days"],
                ["Bearings & Co", "RLT-6205", "BC-6205", 7.45, 10, 3],
                ["Rexel", "BOB-24V", "RX-LXD1B7", 21.9, None, None],
            ]
        ),
    )
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    offer.refresh_from_db()
    assert (offer.supplier_reference, offer.price, offer.minimum_order, offer.lead_time_days) == (
        "BC-6205",
        D("7.45"),
        D(10),
        3,
    )
    rexel = SupplierPart.objects.get(supplier=Supplier.objects.get(name="Rexel"))
    assert (rexel.price, rexel.minimum_order, rexel.lead_time_days) == (D("21.9"), D(1), 0)


def test_supplier_price_errors_name_line_and_column(manager: Any) -> None:
    PartFactory(reference="RLT-6205")
    errors = refused(
        lambda: importers.import_supplier_prices(
            manager,
            csv_file(
                "supplier,part,supplier_reference,price,lead_time_days\n"
                "Rexel,RLT-6205,RX-1,-2,3\n"
                "Rexel,RLT-9999,RX-2,2,1\n",
                name="prices.csv",
            ),
        )
    )
    assert set(errors) == {
        "prices.csv, line 2, column price",
        "prices.csv, line 3, column part",
    }
    assert not Supplier.objects.exists()


# --- Catalogue ---------------------------------------------------------------------------------------------------


def test_catalogue_errors_name_the_sheet_line_and_column(manager: Any) -> None:
    upload = xlsx_file(
        [["reference", "description", "unit"], ["RLT-6205", "Roulement", "piece"], ["BOB-24V", "Bobine", "bobbin"]],
        name="pieces.xlsx",
        title="Catalogue",
    )
    errors = refused(lambda: importers.import_parts(manager, upload))
    assert list(errors) == ["pieces.xlsx, sheet Catalogue, line 3, column unit"]
    twice = csv_file("reference,description\nRLT-6205,Roulement\nRLT-6205,Roulement SKF\n", name="pieces.csv")
    assert refused(lambda: importers.import_parts(manager, twice)) == {
        "pieces.csv, line 3, column reference": ["Already given on line 2."]
    }
    assert not Part.objects.exists()


def download(rows: Any, kind: str) -> SimpleUploadedFile:
    response: Any = export_response(RequestFactory().get("/", {"export": kind}), rows, exports.PARTS)
    return SimpleUploadedFile(f"parts.{kind}", response.content)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_catalogue_downloaded_then_imported_changes_nothing(manager: Any, kind: str, language: str) -> None:
    successor = PartFactory(reference="VER-DSBC-32", description="Vérin Ø32, =course 100", technology="pneumatic")
    PartFactory(
        reference="VER-DNC-32",
        description="+Vérin; ancien modèle",
        superseded_by=successor,
        unit="set",
        criticality="high",
        barcode="3660000000012",
        category="Vérins",
    )
    PartFactory(reference="0042", description="Part whose reference looks like a number", manufacturer="")
    before = {part.reference: part.changelog_data() for part in Part.objects.all()}
    with translation.override(language):
        upload = download(Part.objects.select_related("superseded_by"), kind)
        report = importers.import_parts(manager, upload)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert {part.reference: part.changelog_data() for part in Part.objects.all()} == before


def test_the_catalogue_workbook_has_a_bold_header_and_typed_cells(manager: Any) -> None:
    PartFactory(reference="RLT-6205", description='=HYPERLINK("http://x")')
    sheet: Any = load_workbook(io.BytesIO(download(Part.objects.all(), "xlsx").read())).active
    assert sheet["A1"].value == "Internal reference"
    assert sheet["A1"].font.b
    assert sheet["B2"].data_type == "s"
    assert sheet["B2"].value == '=HYPERLINK("http://x")'
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= len('=HYPERLINK("http://x")')


# --- Command line ------------------------------------------------------------------------------------------------


def test_the_command_imports_each_kind_from_excel(
    tmp_path: Path, administrator: Any, capsys: pytest.CaptureFixture
) -> None:
    LocationFactory(code="lyon-central")

    def save(name: str, rows: list[list[Any]]) -> str:
        path = tmp_path / name
        path.write_bytes(xlsx_file(rows).read())
        return str(path)

    call_command(
        "import", "parts", save("parts.xlsx", [["reference", "description"], ["RLT-SKF", "A"], ["RLT-FAG", "B"]])
    )
    call_command("import", "equivalences", save("eq.xlsx", [["part", "replacement"], ["RLT-SKF", "RLT-FAG"]]))
    call_command(
        "import", "stock", save("stock.xlsx", [STOCK_HEADER, ["lyon-central", "RLT-SKF", 5, 7.5]]), "--user", "admin"
    )
    call_command(
        "import",
        "suppliers",
        save("prices.xlsx", [["supplier", "part", "supplier_reference", "price"], ["SKF", "RLT-SKF", "6205", 6]]),
    )
    output = capsys.readouterr()
    assert output.out.count("created: ") == 4
    assert "100%" in output.err
    assert StockMovement.objects.get().user == administrator
    assert Interchangeability.objects.count() == SupplierPart.objects.count() == 1


STOCK_HEADER = ["location", "part", "quantity", "unit_cost"]


def test_the_stock_command_needs_a_user(tmp_path: Path, db: None) -> None:
    path = tmp_path / "stock.csv"
    path.write_text(",".join(STOCK_HEADER) + "\n")
    with pytest.raises(CommandError, match="There is no administrator"):
        call_command("import", "stock", str(path))
    with pytest.raises(CommandError, match="No active user named nobody"):
        call_command("import", "stock", str(path), "--user", "nobody")


def test_the_command_names_the_file_of_a_damaged_workbook(tmp_path: Path, db: None) -> None:
    path = tmp_path / "pieces.xlsx"
    path.write_bytes(b"PK\x03\x04 damaged")
    with pytest.raises(CommandError, match=r"pieces\.xlsx: The file is not an Excel workbook"):
        call_command("import", "parts", str(path))
