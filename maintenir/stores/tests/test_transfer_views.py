"""The stores import page with its progress, and the stores lists downloaded as CSV and Excel, each user's own."""

import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from maintenir.core.tests.clients import client_for
from maintenir.stores import services as stock
from maintenir.stores.choices import LocationKind
from maintenir.stores.models import Part, StockMovement
from maintenir.stores.tests.factories import LocationFactory, PartFactory

D = Decimal
TOKEN = "0123456789abcdef0123456789abcdef"


def text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def post_import(user: Any, kind: str, upload: SimpleUploadedFile, token: str = TOKEN) -> Any:
    return client_for(user).post(reverse("stores-import"), {"kind": kind, "file": upload, "token": token})


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet: Any = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_manager_imports_a_catalogue_from_csv_and_follows_its_progress(manager: Any) -> None:
    page = text(client_for(manager).get(reverse("stores-import")))
    assert 'hx-trigger="htmx:beforeRequest from:#import-form"' in page
    assert "Functional equivalences" in page
    progress = reverse("stores-import-progress", args=[TOKEN])
    assert "Sending the file" in text(client_for(manager).get(progress))

    upload = SimpleUploadedFile("pieces.csv", b"reference,description\nRLT-6205,Roulement\nBOB-24V,Bobine\n")
    page = text(post_import(manager, "parts", upload))
    assert "Parts catalogue — Imported: 2 created, 0 updated, 0 unchanged." in page
    assert Part.objects.count() == 2
    # The import's last word stays readable, and stops the polling.
    finished = text(client_for(manager).get(progress))
    assert '<progress max="100" value="100">' in finished
    assert "done" in finished
    assert "hx-trigger" not in finished


def test_opening_stock_imports_from_a_workbook(manager: Any) -> None:
    PartFactory(reference="RLT-6205")
    LocationFactory(code="lyon-central")
    content = workbook([["location", "part", "quantity", "unit_cost"], ["lyon-central", "RLT-6205", 6, 7.25]])
    page = text(post_import(manager, "stock", SimpleUploadedFile("stock.xlsx", content)))
    assert "Opening stock — Imported: 1 created" in page
    assert StockMovement.objects.get().quantity == 6


def test_errors_are_listed_by_file_sheet_line_and_column_and_nothing_is_written(manager: Any) -> None:
    content = workbook([["reference", "description", "unit"], ["RLT-6205", "Roulement", "piece"], ["X", "", "bobbin"]])
    response = post_import(manager, "parts", SimpleUploadedFile("pieces.xlsx", content))
    page = text(response)
    assert response.status_code == 200
    assert "nothing was imported" in page
    assert "pieces.xlsx, sheet Sheet, line 3, column unit:" in page
    assert "pieces.xlsx, sheet Sheet, line 3, column description:" in page
    assert not Part.objects.exists()
    progress = text(client_for(manager).get(reverse("stores-import-progress", args=[TOKEN])))
    assert "nothing was imported" in progress


def test_a_damaged_file_is_an_error_on_the_page_not_a_crash(manager: Any) -> None:
    response = post_import(manager, "equivalences", SimpleUploadedFile("eq.xlsx", b"PK\x03\x04garbage"))
    assert response.status_code == 200
    assert "eq.xlsx: The file is not an Excel workbook (.xlsx) that can be read." in text(response)


def test_only_managers_import_and_nobody_follows_another_users_import(
    manager: Any, administrator: Any, technician: Any
) -> None:
    assert client_for(technician).get(reverse("stores-import")).status_code == 403
    post_import(manager, "parts", SimpleUploadedFile("p.csv", b"reference,description\nA,B\n"))
    other = text(client_for(administrator).get(reverse("stores-import-progress", args=[TOKEN])))
    assert "Sending the file" in other


# --- Downloads ---------------------------------------------------------------------------------------------------


def test_the_parts_list_downloads_with_its_filters(manager: Any) -> None:
    PartFactory(reference="VER-DSBC-32", technology="pneumatic")
    PartFactory(reference="RLT-6205", technology="mechanical")
    response = client_for(manager).get(reverse("part-list"), {"technology": "pneumatic", "export": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="parts.csv"'
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Internal reference,Description,Manufacturer")
    assert [line.split(",")[0] for line in lines[1:]] == ["VER-DSBC-32"]
    page = text(client_for(manager).get(reverse("part-list"), {"technology": "pneumatic"}))
    assert 'href="?technology=pneumatic&amp;export=xlsx"' in page


def test_a_client_downloads_only_its_own_parts(
    client_a: Any, client_b: Any, manager: Any, org_a: Any, org_b: Any
) -> None:
    PartFactory(reference="CLIENT-A-PART", owner=org_a)
    PartFactory(reference="CLIENT-B-PART", owner=org_b)
    PartFactory(reference="COMPANY-PART")
    for kind in ("csv", "xlsx"):
        assert rows_of(download(client_a, kind), kind) == {"CLIENT-A-PART"}
        assert rows_of(download(client_b, kind), kind) == {"CLIENT-B-PART"}
        assert rows_of(download(manager, kind), kind) == {"CLIENT-A-PART", "CLIENT-B-PART", "COMPANY-PART"}


def download(user: Any, kind: str) -> bytes:
    return bytes(client_for(user).get(reverse("part-list"), {"export": kind}).content)


def rows_of(content: bytes, kind: str) -> set[str]:
    if kind == "csv":
        return {line.split(",")[0] for line in content.decode().splitlines()[1:]}
    sheet: Any = load_workbook(io.BytesIO(content)).active
    return {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_my_van_and_a_parts_stock_download_as_typed_workbooks(
    technician: Any, other_technician: Any, manager: Any, client_b: Any, org_a: Any
) -> None:
    bearing = PartFactory(reference="RLT-6205", description="Roulement")
    mine = LocationFactory(code="van-ab", name="Van AB-123-CD", kind=LocationKind.VAN, technician=technician)
    theirs = LocationFactory(code="van-zz", name="Van ZZ", kind=LocationKind.VAN, technician=other_technician)
    client_store = LocationFactory(code="store-a", name="Magasin client A", owner=org_a)
    for location in (mine, theirs, client_store):
        stock.receive(manager, bearing, location, D(2), D("7.20"))
    stock.reserve(bearing, mine, D("0.5"))

    van: Any = load_workbook(
        io.BytesIO(client_for(technician).get(reverse("my-van"), {"export": "xlsx"}).content)
    ).active
    rows = list(van.iter_rows(values_only=True))
    assert rows[0][:3] == ("Location code", "Location", "Part")
    assert rows[1:] == [("van-ab", "Van AB-123-CD", "RLT-6205", "Roulement", "piece", 2, 0.5, 1.5, 7.2)]
    assert van["F2"].data_type == "n"

    detail = reverse("part-detail", args=[bearing.pk])
    staff = client_for(manager).get(detail, {"export": "csv"}).content.decode()
    assert {line.split(",")[0] for line in staff.splitlines()[1:]} == {"van-ab", "van-zz", "store-a"}
    # Client A's own part in client A's store: client B gets no download of it.
    client_part = PartFactory(reference="RLT-6205-A", owner=org_a)
    stock.receive(manager, client_part, client_store, D(1), D(7))
    outsider = client_for(client_b).get(reverse("part-detail", args=[client_part.pk]), {"export": "csv"})
    assert outsider.status_code == 404
    assert b"store-a" not in outsider.content
