"""The where-used, critical spares, part documents and repairable units pages."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.tests.clients import client_for
from maintenir.stores import repairables
from maintenir.stores import services as stock
from maintenir.stores.choices import UnitStatus
from maintenir.stores.models import PartDocument, PartFit, RepairableUnit
from maintenir.stores.tests.factories import LocationFactory, PartDocumentFactory, PartFactory, PartFitFactory

D = Decimal


def text(response: Any) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def press(site_a: Any) -> Any:
    return EquipmentFactory(site=site_a, code="PR-01", name="Presse hydraulique 250 t")


def test_the_equipment_page_loads_its_spare_parts_from_the_stores(client_a: Any, press: Any, org_a: Any) -> None:
    page = text(client_for(client_a).get(press.get_absolute_url()))
    assert f'hx-get="{reverse("equipment-spare-parts", args=[press.pk])}" hx-trigger="load"' in page


def test_the_spare_parts_section_flags_a_critical_spare_short_and_the_units_fitted(
    manager: Any, press: Any, site_a: Any
) -> None:
    pump = PartFactory(reference="PMP-A10VSO", is_repairable=True)
    PartFitFactory(equipment=press, part=pump, critical=True, minimum_stock=D(1))
    PartFitFactory(equipment=press, part=PartFactory(reference="FLT-HYD-10"))
    unit = repairables.receive(manager, pump, "A10-7781", LocationFactory(), D(3100))
    repairables.fit(manager, unit, press, "OT-2026-0101")
    url = reverse("equipment-spare-parts", args=[press.pk])
    fragment = text(client_for(manager).get(url, HTTP_HX_REQUEST="true"))
    assert "<html" not in fragment
    assert fragment.index("PMP-A10VSO") < fragment.index("FLT-HYD-10")
    assert "Critical spare short: keep 1, 1 missing" in fragment
    assert "PMP-A10VSO S/N A10-7781" in fragment
    page = text(client_for(manager).get(url))
    assert "<html" in page
    assert "PR-01" in page


def test_a_manager_lists_a_part_on_a_type_and_it_shows_where_used(manager: Any, press: Any) -> None:
    part = PartFactory(reference="JNT-VER-80")
    client = client_for(manager)
    response = client.post(
        reverse("part-fit-add"),
        {
            "part": part.pk,
            "equipment_type": press.equipment_type_id,
            "quantity": "4",
            "critical": "on",
            "minimum_stock": "2",
            "next": part.get_absolute_url(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == part.get_absolute_url()
    used = text(client.get(reverse("part-where-used", args=[part.pk]), HTTP_HX_REQUEST="true"))
    assert f"Every {press.equipment_type}" in used
    assert "critical spare, keep 2" in used
    short = text(client.get(reverse("critical-spares-short")))
    assert "PR-01" in short
    assert "JNT-VER-80" in short
    fit = PartFit.objects.get()
    client.post(reverse("part-fit-remove", args=[fit.pk]), {"next": press.get_absolute_url()})
    assert not PartFit.objects.exists()


def test_a_bad_fit_is_shown_on_the_form_and_nothing_is_saved(manager: Any, press: Any) -> None:
    response = client_for(manager).post(
        reverse("part-fit-add"), {"part": PartFactory().pk, "equipment": press.pk, "quantity": "1", "critical": "on"}
    )
    assert response.status_code == 200
    assert "A critical spare keeps at least one in stock." in text(response)
    assert not PartFit.objects.exists()


def test_technicians_and_clients_neither_list_nor_remove_fits(technician: Any, client_a: Any, press: Any) -> None:
    fit = PartFitFactory(equipment=press)
    for user in (technician, client_a):
        client = client_for(user)
        assert client.get(reverse("part-fit-add")).status_code == 403
        assert client.get(reverse("critical-spares-short")).status_code == 403
        assert client.post(reverse("part-fit-remove", args=[fit.pk])).status_code in {403, 404}
    assert PartFit.objects.filter(pk=fit.pk).exists()


def test_a_part_document_is_uploaded_checked_and_served_to_who_may_see_the_part(
    manager: Any, client_a: Any, client_b: Any, org_a: Any, settings: Any
) -> None:
    part = PartFactory(owner=org_a)
    client = client_for(manager)
    datasheet = SimpleUploadedFile("fiche.pdf", b"%PDF-1.4 fiche technique", content_type="application/pdf")
    response = client.post(
        reverse("part-document-add", args=[part.pk]),
        {"title": "Fiche technique", "document_type": "datasheet", "file": datasheet},
    )
    assert response.status_code == 302
    document = PartDocument.objects.get()
    assert document.uploaded_by == manager
    served = client_for(client_a).get(reverse("part-document-file", args=[document.pk]))
    assert served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert client_for(client_b).get(reverse("part-document-file", args=[document.pk])).status_code == 404
    listed = text(client_for(client_a).get(reverse("part-documents", args=[part.pk]), HTTP_HX_REQUEST="true"))
    assert "Fiche technique" in listed
    assert "Add a document" not in listed
    settings.MAINTENIR_MAX_DOCUMENT_MB = 0.00001
    big = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 " + b"x" * 100, content_type="application/pdf")
    refused = client.post(reverse("part-document-add", args=[part.pk]), {"title": "Plan", "file": big})
    assert "is too large" in text(refused)
    assert PartDocument.objects.count() == 1


def test_a_document_that_is_not_a_pdf_nor_an_image_is_downloaded_not_shown(manager: Any) -> None:
    document = PartDocumentFactory(file__filename="notes.html", file__data=b"<script>alert(1)</script>")
    served = client_for(manager).get(reverse("part-document-file", args=[document.pk]))
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")


def test_a_technician_fits_a_unit_and_its_page_tells_its_history(
    manager: Any, technician: Any, press: Any, site_a: Any
) -> None:
    drive = PartFactory(reference="VAR-SERVO-7", is_repairable=True)
    store = LocationFactory(name="Magasin central")
    client = client_for(technician)
    response = client.post(
        reverse("repairable-add"),
        {"part": drive.pk, "serial_number": "SD7-0042", "location": store.pk, "unit_cost": "2400"},
    )
    unit = RepairableUnit.objects.get()
    assert response["Location"] == unit.get_absolute_url()
    url = reverse("repairable-transition", args=[unit.pk, "fit"])
    client.post(url, {"fit-equipment": press.pk, "fit-work_order": "OT-2026-0101"})
    unit.refresh_from_db()
    assert unit.status == UnitStatus.FITTED
    assert stock.available(drive, store) == 0
    # Posted again (a second tab): refused, said, and nothing changes.
    again = client.post(url, {"fit-equipment": press.pk}, follow=True)
    assert "Unit SD7-0042 is fitted: fitting is not possible." in text(again)
    page = text(client.get(unit.get_absolute_url()))
    assert "PR-01" in page
    assert "OT-2026-0101" in page
    assert f'action="/repairables/{unit.pk}/remove/"' in page
    assert "/scrap/" not in page  # scrapping is for managers


def test_a_failed_removal_without_a_location_is_fine_a_working_one_needs_one(manager: Any, press: Any) -> None:
    drive = PartFactory(is_repairable=True)
    unit = repairables.receive(manager, drive, "SD7-1", LocationFactory(), D(100))
    repairables.fit(manager, unit, press)
    client = client_for(manager)
    url = reverse("repairable-transition", args=[unit.pk, "remove"])
    response = client.post(url, {"remove-work_order": "OT-9"})
    assert "Say where the unit goes back to stock." in text(response)
    client.post(url, {"remove-failed": "on", "remove-note": "Surintensité"})
    unit.refresh_from_db()
    assert unit.status == UnitStatus.FAILED


def test_the_units_list_filters_by_status(manager: Any, press: Any) -> None:
    drive = PartFactory(reference="VAR-SERVO-7", is_repairable=True)
    store = LocationFactory()
    repairables.receive(manager, drive, "IN-1", store, D(100))
    fitted = repairables.receive(manager, drive, "FIT-1", store, D(100))
    repairables.fit(manager, fitted, press)
    page = text(client_for(manager).get(reverse("repairable-list"), {"status": "fitted"}))
    assert "S/N FIT-1" in page
    assert "S/N IN-1" not in page
