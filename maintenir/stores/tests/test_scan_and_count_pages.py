"""Scanning a part's code, its labels, and the cycle count pages a technician counts on."""

import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse

from maintenir.core.tests.clients import client_for
from maintenir.stores import counts
from maintenir.stores import services as stock
from maintenir.stores.choices import CountStatus
from maintenir.stores.models import CycleCount, StockBalance
from maintenir.stores.tests.factories import LocationFactory, PartFactory
from maintenir.stores.tests.test_views import text

D = Decimal


def test_a_scanned_barcode_or_reference_opens_the_part(technician: Any) -> None:
    part = PartFactory(reference="RLT-6205-SKF", barcode="7316577512345")
    client = client_for(technician)
    assert client.get(reverse("part-scan"), {"code": "7316577512345"})["Location"] == part.get_absolute_url()
    assert client.get(reverse("part-scan"), {"code": "rlt-6205-skf"})["Location"] == part.get_absolute_url()


def test_a_scan_for_an_order_chooses_the_part_on_its_parts_section(technician: Any) -> None:
    part = PartFactory(barcode="QR-CTR-01")
    response = client_for(technician).get(reverse("part-scan"), {"code": "QR-CTR-01", "order": "42"})
    assert response["Location"] == f"{reverse('workorder-execute', args=[42])}?part={part.pk}#parts"


def test_an_unknown_code_or_another_clients_part_is_not_found(client_a: Any, org_b: Any) -> None:
    PartFactory(reference="THEIRS-01", barcode="999", owner=org_b)
    for code in ("999", "THEIRS-01", "nothing-like-it"):
        response = client_for(client_a).get(reverse("part-scan"), {"code": code})
        assert response.status_code == 200
        page = text(response)
        assert f"No part has the code {code}." in page
        assert "THEIRS-01 —" not in page


def test_the_scan_page_offers_the_camera_and_a_typed_code(technician: Any) -> None:
    page = text(client_for(technician).get(reverse("part-scan")))
    assert "data-scan-start" in page
    assert 'name="code"' in page
    assert "/static/stores/scan.js" in page
    assert "/static/ui/vendor/jsQR.js" in page


def test_a_label_carries_the_qr_of_the_barcode_else_the_reference(technician: Any, manager: Any) -> None:
    coded = PartFactory(reference="RLT-6205-SKF", barcode="7316577512345")
    plain = PartFactory(reference="VER-DSBC-32")
    store = LocationFactory()
    stock.receive(manager, coded, store, D(1), D(1))
    stock.receive(manager, plain, store, D(1), D(1))
    page = text(client_for(technician).get(reverse("part-label", args=[coded.pk])))
    assert 'src="data:image/svg+xml' in page
    assert "QR code of 7316577512345" in page
    sheet = text(client_for(technician).get(reverse("location-labels", args=[store.pk])))
    assert "QR code of 7316577512345" in sheet
    assert "QR code of VER-DSBC-32" in sheet


def test_a_count_is_planned_counted_line_by_line_and_completed(manager: Any, technician: Any) -> None:
    store = LocationFactory()
    first, second = PartFactory(reference="CNT-A"), PartFactory(reference="CNT-B")
    stock.receive(manager, first, store, D(5), D(2))
    stock.receive(manager, second, store, D(3), D(2))
    planned = client_for(manager).post(
        reverse("cyclecount-add"), {"location": store.pk, "planned_for": "2026-12-08", "lines": ""}
    )
    count = CycleCount.objects.get()
    assert planned["Location"] == count.get_absolute_url()
    client = client_for(technician)
    client.post(reverse("cyclecount-start", args=[count.pk]))
    line_a, line_b = count.lines.order_by("part__reference")
    line_page = text(client.get(reverse("cyclecount-line", args=[line_a.pk])))
    # Counted blind: the line's page does not say what the books expect.
    assert "CNT-A" in line_page
    assert "Expected" not in line_page
    moved_on = client.post(reverse("cyclecount-line", args=[line_a.pk]), {"counted": "4"})
    assert moved_on["Location"] == line_b.get_absolute_url()
    refused = client.post(reverse("cyclecount-complete", args=[count.pk]), follow=True)
    assert "Not counted yet: CNT-B." in text(refused)
    client.post(reverse("cyclecount-line", args=[line_b.pk]), {"counted": "3"})
    client.post(reverse("cyclecount-complete", args=[count.pk]))
    count.refresh_from_db()
    assert count.status == CountStatus.COMPLETED
    assert StockBalance.objects.get(part=first, location=store).on_hand == D(4)
    detail = text(client.get(count.get_absolute_url()))
    assert "<strong>-1</strong>" in detail


def test_a_client_may_read_a_count_but_not_record_it(manager: Any, client_a: Any, org_a: Any) -> None:
    store = LocationFactory(owner=org_a)
    part = PartFactory(owner=org_a)
    stock.receive(manager, part, store, D(2), D(2))
    count = counts.start(manager, counts.plan(manager, store, datetime.date(2026, 12, 8)))
    line = count.lines.get()
    client = client_for(client_a)
    assert client.get(count.get_absolute_url()).status_code == 200
    assert client.post(reverse("cyclecount-line", args=[line.pk]), {"counted": "0"}).status_code == 403
    assert client.post(reverse("cyclecount-complete", args=[count.pk])).status_code == 403
    line.refresh_from_db()
    assert line.counted is None


def test_a_second_count_of_a_location_is_a_form_error(manager: Any) -> None:
    store = LocationFactory()
    stock.receive(manager, PartFactory(), store, D(2), D(2))
    data = {"location": store.pk, "planned_for": "2026-12-08", "lines": "1"}
    client_for(manager).post(reverse("cyclecount-add"), data)
    refused = client_for(manager).post(reverse("cyclecount-add"), data)
    assert refused.status_code == 200
    assert "already has a count under way" in text(refused)


def test_a_code_two_parts_carry_lists_both_to_choose_from(technician: Any) -> None:
    first = PartFactory(reference="BOB-LXD1B7", barcode="3389110000000")
    second = PartFactory(reference="BOB-LXD1B7-C", barcode="3389110000000")
    page = text(client_for(technician).get(reverse("part-scan"), {"code": "3389110000000", "order": "7"}))
    assert "Several parts have this code" in page
    for part in (first, second):
        assert f'href="{reverse("workorder-execute", args=[7])}?part={part.pk}#parts"' in page
