"""The stock location pages: what a store holds and its value, the ledger, and the movement forms, whose
refusals (a shortage included) are form errors, never a server error."""

import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse

from maintenir.core.tests.clients import client_for
from maintenir.stores import services as stock
from maintenir.stores.choices import LocationKind, MovementKind
from maintenir.stores.models import Location, StockBalance, StockMovement
from maintenir.stores.tests.factories import LocationFactory, PartFactory, VanFactory
from maintenir.stores.tests.test_views import text

D = Decimal


def test_a_store_shows_what_it_holds_at_its_weighted_average_cost(manager: Any, technician: Any) -> None:
    store = LocationFactory(name="Magasin central Lyon")
    bearing = PartFactory(reference="RLT-6205-SKF")
    stock.receive(manager, bearing, store, D(2), D(10))
    stock.receive(manager, bearing, store, D(2), D(14))
    stock.reserve(bearing, store, D(1))
    LocationFactory(name="Allée A", kind=LocationKind.BIN, parent=store)
    page = text(client_for(technician).get(reverse("location-detail", args=[store.pk])))
    # 4 on hand, 1 reserved, 3 available, at (2×10 + 2×14) / 4 = 12.
    row = page[page.index("RLT-6205-SKF") :]
    assert '<td>4</td><td class="hide-phone">1</td><td>3</td>' in row
    assert "12.00" in row
    assert "48.00" in row
    assert "Allée A" in page
    assert page.count("Receipt") == 2


def test_the_location_list_groups_stores_bins_and_vans(manager: Any, technician: Any) -> None:
    store = LocationFactory(name="Magasin central Lyon")
    LocationFactory(name="Allée A", kind=LocationKind.BIN, parent=store)
    VanFactory(name="Fourgon GH-456-IJ", technician=technician)
    page = text(client_for(manager).get(reverse("location-list"), {"kind": "van"}))
    assert "Fourgon GH-456-IJ" in page
    assert "Allée A" not in page


def test_a_manager_adds_a_van_and_a_technician_may_not(manager: Any, technician: Any) -> None:
    data = {"code": "van-gh", "name": "Fourgon GH", "kind": "van", "technician": technician.pk}
    assert client_for(technician).post(reverse("location-add"), data).status_code == 403
    response = client_for(manager).post(reverse("location-add"), data)
    van = Location.objects.get(code="van-gh")
    assert response["Location"] == van.get_absolute_url()
    refused = client_for(manager).post(reverse("location-add"), {**data, "code": "van-2", "technician": ""})
    assert "A van belongs to a technician." in text(refused)


def test_receiving_goods_records_the_delivery_note(technician: Any) -> None:
    store, part = LocationFactory(), PartFactory()
    response = client_for(technician).post(
        reverse("stock-receive"),
        {"part": part.pk, "location": store.pk, "quantity": "5", "unit_cost": "3.20", "reference": "BL-2291"},
    )
    assert response["Location"] == store.get_absolute_url()
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.quantity, movement.unit_cost, movement.reference) == (
        MovementKind.RECEIPT,
        D(5),
        D("3.2"),
        "BL-2291",
    )


def test_loading_my_van_moves_stock_and_a_shortage_is_a_form_error(manager: Any, technician: Any) -> None:
    store, part = LocationFactory(name="Magasin central Lyon"), PartFactory(reference="BOB-LXD1-B7")
    van = VanFactory(technician=technician)
    stock.receive(manager, part, store, D(2), D(20))
    client = client_for(technician)
    form = text(client.get(reverse("stock-transfer"), {"van": "load"}))
    assert f'<option value="{van.pk}" selected>' in form
    data = {"part": part.pk, "source": store.pk, "destination": van.pk, "quantity": "3"}
    refused = client.post(f"{reverse('stock-transfer')}?van=load", data)
    assert refused.status_code == 200
    assert "Only 2 of BOB-LXD1-B7 available at Magasin central Lyon; 3 asked." in text(refused)
    assert not StockMovement.objects.exclude(kind=MovementKind.RECEIPT).exists()
    moved = client.post(f"{reverse('stock-transfer')}?van=load", {**data, "quantity": "2"})
    assert moved["Location"] == van.get_absolute_url()
    assert StockBalance.objects.get(part=part, location=van).on_hand == D(2)


def test_an_adjustment_is_a_managers_with_a_reason(manager: Any, technician: Any) -> None:
    store, part = LocationFactory(), PartFactory()
    stock.receive(manager, part, store, D(2), D(20))
    data = {"part": part.pk, "location": store.pk, "quantity": "-1", "note": ""}
    assert client_for(technician).post(reverse("stock-adjust"), data).status_code == 403
    refused = client_for(manager).post(reverse("stock-adjust"), data)
    assert "This field is required." in text(refused)
    refused = client_for(manager).post(reverse("stock-adjust"), {**data, "quantity": "-3", "note": "broken"})
    assert "Only 2 of" in text(refused)
    client_for(manager).post(reverse("stock-adjust"), {**data, "note": "dropped, broken"})
    assert StockBalance.objects.get(part=part, location=store).on_hand == D(1)


def test_the_ledger_filters_by_kind_and_dates(manager: Any) -> None:
    store = LocationFactory()
    part = PartFactory(reference="CTR-LC1D09")
    stock.receive(manager, part, store, D(3), D(20))
    stock.issue(manager, part, store, D(1), reference="OT-000042")
    client = client_for(manager)
    issues = text(client.get(reverse("movement-list"), {"kind": "issue"}))
    assert "OT-000042" in issues
    assert "Receipt" not in issues.split("<tbody>")[1]
    today = datetime.date.today()
    assert "OT-000042" in text(client.get(reverse("movement-list"), {"since": today.isoformat()}))
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert "No movement matches." in text(client.get(reverse("movement-list"), {"since": tomorrow}))
