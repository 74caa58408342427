"""The purchasing pages: a manager orders what is low and receives it; technicians read; clients never see it."""

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from maintenir.core.tests.clients import client_for
from maintenir.core.tests.tables import snapshot
from maintenir.stores import services as stock
from maintenir.stores.choices import PurchaseOrderStatus
from maintenir.stores.models import PurchaseOrder, PurchaseRequest, StockBalance
from maintenir.stores.tests.factories import LocationFactory, PartFactory, SupplierPartFactory
from maintenir.stores.tests.purchasing_factories import ReorderRuleFactory

D = Decimal


@pytest.fixture
def rule(manager: Any) -> Any:
    store = LocationFactory(name="Magasin central Lyon")
    part = PartFactory(reference="BOB-LXD1B7")
    SupplierPartFactory(
        part=part, supplier__name="Rexel", supplier__email="commandes@rexel.example", price=D("31.50"), lead_time_days=3
    )
    stock.receive(manager, part, store, D(1), D(30))
    return ReorderRuleFactory(part=part, location=store, reorder_point=D(2), maximum=D(6))


def test_a_manager_orders_sends_and_receives_what_is_low(manager: Any, rule: Any) -> None:
    client = client_for(manager)
    page = client.get(reverse("purchasing-reorder"))
    assert page.status_code == 200
    assert b"BOB-LXD1B7" in page.content

    response = client.post(reverse("purchasing-reorder"), {"rule": [rule.pk], "order": "1"})
    assert response.status_code == 302
    order = PurchaseOrder.objects.get()
    line = order.lines.get()
    assert (order.supplier.name, line.quantity, order.status) == ("Rexel", 5, PurchaseOrderStatus.DRAFT)
    assert client.get(order.get_absolute_url()).status_code == 200
    pdf = client.get(reverse("purchaseorder-pdf", args=[order.pk]))
    assert pdf["Content-Type"] == "application/pdf"

    client.post(reverse("purchaseorder-send", args=[order.pk]), {"message": "Livraison au magasin de Lyon"})
    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.SENT
    assert mail.outbox[0].to == ["commandes@rexel.example"]

    prefix = f"line-{line.pk}"
    refused = client.post(reverse("purchaseorder-receive", args=[line.pk]), {f"{prefix}-quantity": "9"})
    assert refused.status_code == 400
    assert b"Only 5 of BOB-LXD1B7 are still expected" in refused.content
    received = client.post(
        reverse("purchaseorder-receive", args=[line.pk]),
        {f"{prefix}-quantity": "2", f"{prefix}-unit_cost": "33", f"{prefix}-reference": "BL-2026-118"},
    )
    assert received.status_code == 302
    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.PARTLY_RECEIVED
    assert StockBalance.objects.get(part=rule.part, location=rule.location).on_hand == 3

    part_page = client.get(rule.part.get_absolute_url())
    assert b'id="reorder"' in part_page.content
    assert part_page.context["balances"][0].on_order == 3


def test_a_technician_reads_purchasing_but_orders_nothing(technician: Any, rule: Any) -> None:
    client = client_for(technician)
    assert client.get(reverse("purchasing-reorder")).status_code == 200
    before = snapshot()
    assert client.post(reverse("purchasing-reorder"), {"rule": [rule.pk]}).status_code == 403
    assert snapshot() == before
    assert not PurchaseRequest.objects.exists()


@pytest.mark.parametrize("name", ["purchasing-reorder", "purchaserequest-list", "purchaseorder-list", "supplier-list"])
def test_a_client_is_refused_purchasing(client_a: Any, rule: Any, name: str) -> None:
    assert client_for(client_a).get(reverse(name)).status_code == 403


def test_a_clients_part_page_shows_no_purchasing(client_a: Any, org_a: Any) -> None:
    part = PartFactory(owner=org_a)
    page = client_for(client_a).get(part.get_absolute_url())
    assert page.status_code == 200
    assert b'id="reorder"' not in page.content


def test_a_rule_form_shows_the_suggestion_and_refuses_a_maximum_below_the_point(manager: Any, rule: Any) -> None:
    client = client_for(manager)
    url = reverse("reorderrule-edit", args=[rule.pk])
    assert b"Suggested from the last twelve months" in client.get(url).content
    response = client.post(url, {"location": rule.location_id, "reorder_point": "5", "maximum": "3"})
    assert response.status_code == 200
    assert "maximum" in response.context["form"].errors


def test_a_part_page_shows_a_rule_with_nothing_on_order(technician: Any, rule: Any) -> None:
    """A reorder rule with no purchase order open shows 0 on order, for the staff who read purchasing."""
    page = client_for(technician).get(rule.part.get_absolute_url())
    assert page.status_code == 200
    [(_rule, _suggestion, ordered)] = page.context["reorder_rules"]
    assert ordered == Decimal(0)
