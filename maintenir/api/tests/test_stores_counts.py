"""Cycle counts through the API: planned by rotation, counted, completed into the ledger, refused while a line
is uncounted."""

from decimal import Decimal
from typing import Any

from maintenir.api.tests.conftest import call
from maintenir.stores import services as stock
from maintenir.stores.models import StockBalance
from maintenir.stores.tests.factories import LocationFactory, PartFactory


def test_a_count_is_planned_counted_and_completed(as_user: Any, manager: Any, technician: Any) -> None:
    store = LocationFactory()
    part = PartFactory(reference="CTR-LC1D09")
    stock.receive(manager, part, store, Decimal(6), Decimal("18.50"))
    planned = call(as_user(manager), "post", "/api/cycle-counts", {"location": store.pk, "planned_for": "2026-12-08"})
    assert planned.status_code == 201
    count = planned.json()
    assert [line["part_reference"] for line in count["lines"]] == ["CTR-LC1D09"]
    client = as_user(technician)
    started = call(client, "post", f"/api/cycle-counts/{count['id']}/start")
    assert started.json()["lines"][0]["expected"] == "6.000"
    refused = call(client, "post", f"/api/cycle-counts/{count['id']}/complete")
    assert refused.status_code == 409
    assert "CTR-LC1D09" in refused.content.decode()
    line = count["lines"][0]["id"]
    recorded = call(client, "post", f"/api/cycle-counts/{count['id']}/lines/{line}", {"counted": "5"})
    assert recorded.json()["difference"] == "-1.000"
    completed = call(client, "post", f"/api/cycle-counts/{count['id']}/complete")
    assert completed.json()["status"] == "completed"
    assert completed.json()["lines"][0]["movement"] is not None
    assert StockBalance.objects.get(part=part, location=store).on_hand == Decimal(5)


def test_a_negative_count_is_refused_naming_the_field(as_user: Any, manager: Any) -> None:
    store = LocationFactory()
    stock.receive(manager, PartFactory(), store, Decimal(1), Decimal(1))
    count = call(as_user(manager), "post", "/api/cycle-counts", {"location": store.pk, "planned_for": "2026-12-08"})
    count_id, line = count.json()["id"], count.json()["lines"][0]["id"]
    call(as_user(manager), "post", f"/api/cycle-counts/{count_id}/start")
    response = call(as_user(manager), "post", f"/api/cycle-counts/{count_id}/lines/{line}", {"counted": "-1"})
    assert response.status_code == 422
    assert "counted" in response.content.decode()
