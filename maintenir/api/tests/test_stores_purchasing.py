"""The purchasing API beyond permissions: from a proposal to a partly received order."""

from decimal import Decimal
from typing import Any

from django.core import mail

from maintenir.api.tests.conftest import World, call
from maintenir.stores import services as stock
from maintenir.stores.models import StockBalance


def test_a_proposal_becomes_an_order_sent_and_partly_received(world: World, manager: Any, as_user: Any) -> None:
    client = as_user(manager)
    buying = world.purchasing
    proposals = client.get("/api/reorder-proposals").json()
    [proposal] = [item for item in proposals if item["rule"] == buying.rule.pk]
    assert (proposal["available"], proposal["quantity"], proposal["supplier"]) == ("0", "6", buying.supplier.pk)

    [requested] = call(client, "post", "/api/purchase-requests/from-proposals", {"rules": [buying.rule.pk]}).json()
    assert requested["status"] == "requested"
    again = call(client, "post", "/api/purchase-requests/from-proposals", {"rules": [buying.rule.pk]})
    assert (again.status_code, again.json()) == (201, [])

    [order] = call(client, "post", "/api/purchase-orders", {"requests": [requested["id"]]}).json()
    assert (order["status"], order["lines"][0]["quantity"]) == ("draft", "6.000")
    sent = call(client, "post", f"/api/purchase-orders/{order['id']}/send", {"message": ""})
    assert sent.json()["status"] == "sent"
    assert mail.outbox[0].attachments[0][0] == f"{order['number']}.pdf"

    line = order["lines"][0]["id"]
    receipts = f"/api/purchase-orders/{order['id']}/lines/{line}/receipts"
    over = call(client, "post", receipts, {"quantity": "7"})
    assert over.status_code == 422
    assert over.json()["detail"][0]["loc"] == ["body", "quantity"]
    assert call(client, "post", receipts, {"quantity": "2", "unit_cost": "9"}).status_code == 201
    assert client.get(f"/api/purchase-orders/{order['id']}").json()["status"] == "partly_received"
    balance = StockBalance.objects.get(part=buying.part, location=buying.store)
    assert (balance.on_hand, balance.average_cost) == (2, 9)


def test_a_clients_part_cannot_be_requested(world: World, manager: Any, as_user: Any) -> None:
    response = call(
        as_user(manager),
        "post",
        "/api/purchase-requests",
        {"part": world.part.pk, "location": world.purchasing.store.pk, "quantity": "1"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "part"]


def test_the_suggestion_names_its_lead_time(world: World, technician: Any, as_user: Any) -> None:
    buying = world.purchasing
    suggestion = as_user(technician).get(
        "/api/reorder-suggestion", {"part": buying.part.pk, "location": buying.store.pk}
    )
    assert suggestion.json()["lead_time_days"] == 5


def test_balances_show_what_is_on_order(world: World, manager: Any, as_user: Any) -> None:
    buying = world.purchasing
    stock.receive(manager, buying.sent_line.part, buying.store, Decimal(1), Decimal(8))
    balances = as_user(manager).get("/api/stock-balances", {"part": buying.sent_line.part_id}).json()["items"]
    assert [(item["location"], Decimal(item["on_order"])) for item in balances] == [(buying.store.pk, 10)]
