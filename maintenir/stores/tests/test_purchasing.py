"""Purchase requests, purchase orders per supplier, and receipts into stock at their cost."""

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from maintenir.core.tests.tables import snapshot
from maintenir.stores import purchasing, reorder
from maintenir.stores import services as stock
from maintenir.stores.choices import PurchaseOrderStatus, PurchaseRequestStatus
from maintenir.stores.models import PurchaseOrder, PurchaseRequest, StockBalance
from maintenir.stores.tests.factories import LocationFactory, PartFactory, SupplierPartFactory
from maintenir.stores.tests.purchasing_factories import (
    PurchaseOrderLineFactory,
    PurchaseRequestFactory,
    ReorderRuleFactory,
)

D = Decimal


@pytest.fixture
def store(db: None) -> Any:
    return LocationFactory(code="lyon", name="Lyon central store")


def low_rule(store: Any, reference: str, supplier: str, price: str = "7.80", minimum: str = "1") -> Any:
    part = PartFactory(reference=reference)
    SupplierPartFactory(part=part, supplier__name=supplier, price=D(price), minimum_order=D(minimum))
    return ReorderRuleFactory(part=part, location=store, reorder_point=D(2), maximum=D(10))


def test_a_rule_orders_up_to_no_less_than_its_reorder_point(store: Any) -> None:
    rule = ReorderRuleFactory.build(part=PartFactory(), location=store, reorder_point=D(5), maximum=D(4))
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert "maximum" in refused.value.message_dict


def test_a_clients_part_has_no_company_rule_nor_request(org_a: Any, store: Any) -> None:
    owned = PartFactory(owner=org_a)
    with pytest.raises(ValidationError) as refused:
        ReorderRuleFactory.build(part=owned, location=store).full_clean()
    assert refused.value.message_dict["part"] == [
        "A client's own part is not bought by the company: the client orders it."
    ]
    with pytest.raises(ValidationError):
        PurchaseRequestFactory.build(part=owned, location=store).full_clean()


def test_requests_are_not_created_twice(manager: Any, store: Any) -> None:
    low_rule(store, "RLT-6205", "Roulements du Rhône")
    ordered = low_rule(store, "BOB-LXD1B7", "Rexel")
    PurchaseOrderLineFactory(part=ordered.part, location=store, quantity=D(1))

    created = purchasing.create_requests(manager, reorder.reorder_proposals(needs={}))
    assert [(request.part.reference, request.quantity) for request in created] == [("RLT-6205", 10)]
    assert created[0].requested_by == manager

    assert purchasing.create_requests(manager, reorder.reorder_proposals(needs={})) == []
    assert PurchaseRequest.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        PurchaseRequestFactory(part=created[0].part, location=store)


def test_a_technician_may_not_request_purchases(technician: Any, store: Any) -> None:
    low_rule(store, "RLT-6205", "Roulements du Rhône")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        purchasing.create_requests(technician, reorder.reorder_proposals(needs={}))
    assert snapshot() == before


def test_requests_make_one_draft_order_per_supplier(manager: Any, store: Any) -> None:
    for reference, supplier in (("RLT-6205", "Roulements du Rhône"), ("RLT-6206", "Roulements du Rhône")):
        low_rule(store, reference, supplier)
    low_rule(store, "BOB-LXD1B7", "Rexel", price="31.50")
    requests = purchasing.create_requests(manager, reorder.reorder_proposals(needs={}))

    orders = purchasing.order_requests(manager, requests)

    assert sorted((order.supplier.name, order.lines.count()) for order in orders) == [
        ("Rexel", 1),
        ("Roulements du Rhône", 2),
    ]
    assert {order.status for order in orders} == {PurchaseOrderStatus.DRAFT}
    assert len({order.number for order in orders}) == 2
    rexel = next(order for order in orders if order.supplier.name == "Rexel")
    assert rexel.lines.get().unit_price == D("31.50")
    assert set(PurchaseRequest.objects.values_list("status", flat=True)) == {PurchaseRequestStatus.ORDERED}
    # Once ordered, the parts are on order and proposed no more.
    assert reorder.reorder_proposals(needs={}) == []


def test_a_part_nobody_sells_cannot_be_ordered(manager: Any, store: Any) -> None:
    request = PurchaseRequestFactory(part=PartFactory(reference="VER-DNC-32-100"), location=store)
    with pytest.raises(ValidationError) as refused:
        purchasing.order_requests(manager, [request])
    assert refused.value.message_dict["requests"] == ["No supplier sells VER-DNC-32-100: add its supplier first."]
    assert not PurchaseOrder.objects.exists()


def sent_line(store: Any, quantity: str = "10", price: str = "8") -> Any:
    part = PartFactory(reference="RLT-6205")
    return PurchaseOrderLineFactory(part=part, location=store, quantity=D(quantity), unit_price=D(price))


def test_partial_receipts_come_in_at_their_cost_and_set_the_status(manager: Any, store: Any) -> None:
    line = sent_line(store)
    stock.receive(manager, line.part, store, D(2), D(5))

    purchasing.receive_line(manager, line, D(4), reference="BL-118")
    line.refresh_from_db()
    line.order.refresh_from_db()
    assert (line.received, line.order.status) == (4, PurchaseOrderStatus.PARTLY_RECEIVED)
    balance = StockBalance.objects.get(part=line.part, location=store)
    # (2 × 5 + 4 × 8) / 6
    assert (balance.on_hand, balance.average_cost) == (6, D("7.0000"))
    assert purchasing.on_order() == {(line.part_id, store.pk): 6}

    movement = purchasing.receive_line(manager, line, D(6), unit_cost=D("9.50"), reference="BL-131")
    assert (movement.reference, movement.unit_cost) == ("BL-131", D("9.50"))
    line.order.refresh_from_db()
    assert line.order.status == PurchaseOrderStatus.RECEIVED
    balance.refresh_from_db()
    # (6 × 7 + 6 × 9.5) / 12
    assert (balance.on_hand, balance.average_cost) == (12, D("8.2500"))
    assert purchasing.on_order() == {}


def test_receiving_more_than_ordered_is_refused_and_changes_nothing(manager: Any, store: Any) -> None:
    line = sent_line(store, quantity="3")
    purchasing.receive_line(manager, line, D(2))
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        purchasing.receive_line(manager, line, D(2))
    assert refused.value.message_dict["quantity"] == [
        f"Only 1 of RLT-6205 are still expected on {line.order.number}; 2 received."
    ]
    assert snapshot() == before


def test_goods_are_received_on_a_sent_order_only(manager: Any, store: Any) -> None:
    line = sent_line(store)
    PurchaseOrder.objects.filter(pk=line.order_id).update(status=PurchaseOrderStatus.DRAFT)
    with pytest.raises(ValidationError):
        purchasing.receive_line(manager, line, D(1))


def test_cancelling_an_order_opens_its_requests_again(manager: Any, store: Any) -> None:
    low_rule(store, "RLT-6205", "Roulements du Rhône")
    [order] = purchasing.order_requests(manager, purchasing.create_requests(manager, reorder.reorder_proposals()))
    purchasing.cancel_order(manager, order)
    order.refresh_from_db()
    assert (order.status, order.cancelled_by) == (PurchaseOrderStatus.CANCELLED, manager)
    request = PurchaseRequest.objects.get()
    assert (request.status, request.order_line) == (PurchaseRequestStatus.REQUESTED, None)
    purchasing.cancel_request(manager, request)
    request.refresh_from_db()
    assert (request.status, request.cancelled_by) == (PurchaseRequestStatus.CANCELLED, manager)
    with pytest.raises(ValidationError):
        purchasing.cancel_request(manager, request)


def test_an_order_with_goods_received_cannot_be_cancelled(manager: Any, store: Any) -> None:
    line = sent_line(store)
    purchasing.receive_line(manager, line, D(1))
    with pytest.raises(ValidationError):
        purchasing.cancel_order(manager, line.order)


def run_reorder(*args: str) -> str:
    out = io.StringIO()
    call_command("reorder", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_proposals_and_requests_them_once(administrator: Any, store: Any) -> None:
    low_rule(store, "RLT-6205", "Roulements du Rhône")

    printed = run_reorder("--dry-run")
    assert "RLT-6205" in printed
    assert "Roulements du Rhône" in printed
    assert printed.splitlines()[0].split()[:2] == ["part", "location"]
    assert "nothing created" in printed
    assert not PurchaseRequest.objects.exists()

    assert "1 part to reorder; 1 purchase request created" in run_reorder()
    assert PurchaseRequest.objects.get().requested_by == administrator
    assert "0 purchase requests created, 1 already requested" in run_reorder()
    assert PurchaseRequest.objects.count() == 1
