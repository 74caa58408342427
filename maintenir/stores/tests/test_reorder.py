"""The suggested reorder point and the reorder proposals."""

import datetime
import math
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from maintenir.stores import purchasing, reorder
from maintenir.stores import services as stock
from maintenir.stores.choices import Unit
from maintenir.stores.models import StockMovement
from maintenir.stores.tests.factories import LocationFactory, PartFactory, SupplierPartFactory
from maintenir.stores.tests.purchasing_factories import PurchaseOrderLineFactory, ReorderRuleFactory

D = Decimal


@pytest.fixture
def store(db: None) -> Any:
    return LocationFactory(code="lyon", name="Lyon central store")


def issued(manager: Any, part: Any, store: Any, quantity: int, days_ago: int) -> None:
    """An issue dated `days_ago` days back, at noon so that it stays on its day."""
    movement = stock.issue(manager, part, store, D(quantity))
    moment = timezone.localtime() - datetime.timedelta(days=days_ago)
    StockMovement.objects.filter(pk=movement.pk).update(created=moment.replace(hour=12))


def test_the_reorder_point_is_the_lead_time_demand_plus_a_safety_stock(manager: Any, store: Any) -> None:
    part = PartFactory(reference="RLT-6205")
    SupplierPartFactory(part=part, lead_time_days=9, price=D("7.80"))
    SupplierPartFactory(part=part, lead_time_days=2, price=D("12.00"))
    stock.receive(manager, part, store, D(100), D(8))
    for quantity, days_ago in ((4, 10), (2, 40), (1, 40), (5, 100), (50, 400)):
        issued(manager, part, store, quantity, days_ago)

    suggestion = reorder.suggest_reorder_point(part, store)

    # By hand: daily demands 4, 3 and 5 over 365 days (the issue of 400 days ago is too old); the quickest
    # supplier (2 days) is the one bought from.
    mean = 12 / 365
    deviation = math.sqrt(50 / 365 - mean**2)
    assert suggestion.mean == pytest.approx(0.0328767, rel=1e-6) == pytest.approx(mean)
    assert suggestion.deviation == pytest.approx(0.3686535, rel=1e-6) == pytest.approx(deviation)
    assert suggestion.lead_time_days == 2
    # 0.0657534 + 1.6448536 × 0.3686528 × √2 = 0.9233 → 1; plus 30 days of demand (0.986 → 1).
    assert suggestion.reorder_point == 1
    assert suggestion.maximum == 2


def test_the_service_level_sets_the_safety_stock(manager: Any, store: Any, settings: Any) -> None:
    part = PartFactory()
    SupplierPartFactory(part=part, lead_time_days=16)
    stock.receive(manager, part, store, D(100), D(8))
    for days_ago in range(1, 60, 3):
        issued(manager, part, store, 2, days_ago)
    settings.MAINTENIR_STOCK_SERVICE_LEVEL = 0.5
    at_half = reorder.suggest_reorder_point(part.pk, store.pk)
    settings.MAINTENIR_STOCK_SERVICE_LEVEL = 0.99
    at_99 = reorder.suggest_reorder_point(part.pk, store.pk)
    # At 50 % there is no safety stock: the lead time's demand, 40/365 × 16 = 1.75 → 2.
    assert at_half.reorder_point == 2
    assert at_99.reorder_point > at_half.reorder_point


def test_no_consumption_suggests_nothing_to_keep(store: Any) -> None:
    part = PartFactory()
    suggestion = reorder.suggest_reorder_point(part.pk, store.pk)
    assert (suggestion.reorder_point, suggestion.maximum) == (0, 0)


def test_a_rule_at_its_reorder_point_proposes_up_to_its_maximum(manager: Any, store: Any) -> None:
    part = PartFactory(reference="BOB-LXD1B7")
    SupplierPartFactory(part=part, supplier__name="Rexel", price=D("31.50"), lead_time_days=3, minimum_order=D(1))
    SupplierPartFactory(part=part, supplier__name="Sonepar", price=D("29.90"), lead_time_days=3)
    SupplierPartFactory(part=part, supplier__name="Cheap but slow", price=D("9.00"), lead_time_days=30)
    stock.receive(manager, part, store, D(3), D(30))
    stock.reserve(part, store, D(1))
    ReorderRuleFactory(part=part, location=store, reorder_point=D(2), maximum=D(8))
    above = ReorderRuleFactory(location=store, reorder_point=D(0), maximum=D(4))
    stock.receive(manager, above.part, store, D(1), D(3))

    proposals = reorder.reorder_proposals(needs={})

    assert len(proposals) == 1
    proposal = proposals[0]
    assert (proposal.part_reference, proposal.available, proposal.on_order) == ("BOB-LXD1B7", 2, 0)
    # The quicker suppliers first, then the cheaper of them.
    assert (proposal.supplier_name, proposal.unit_price, proposal.quantity) == ("Sonepar", D("29.90"), 6)


def test_what_is_on_order_and_the_coming_needs_count(manager: Any, store: Any, monkeypatch: Any) -> None:
    rule = ReorderRuleFactory(location=store, reorder_point=D(2), maximum=D(10))
    SupplierPartFactory(part=rule.part, minimum_order=D(12))
    PurchaseOrderLineFactory(part=rule.part, location=store, quantity=D(5), received=D(2))
    assert reorder.reorder_proposals() == []
    assert purchasing.on_order() == {(rule.part_id, store.pk): 3}

    monkeypatch.setattr(reorder, "NEED_SOURCES", [])

    def gammes_due(weeks: int) -> list[reorder.Need]:
        due = timezone.localdate() + datetime.timedelta(weeks=weeks - 1)
        return [reorder.Need(rule.part_id, store.pk, D(2), due, "Gamme G-12 on AHU-01")]

    reorder.register_need_source(gammes_due)
    reorder.register_need_source(gammes_due)  # counted once
    [proposal] = reorder.reorder_proposals()
    assert (proposal.on_order, proposal.needs, proposal.projected) == (3, 2, 1)
    # 9 to reach 10, but the supplier sells 12 at least.
    assert proposal.quantity == 12


def test_a_clients_part_is_never_proposed(manager: Any, org_a: Any, store: Any) -> None:
    rule = ReorderRuleFactory(location=store)
    type(rule.part).objects.filter(pk=rule.part_id).update(owner=org_a)
    assert reorder.reorder_proposals(needs={}) == []


def test_the_proposals_take_a_few_queries_whatever_the_number_of_parts(
    manager: Any, store: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(30):
        rule = ReorderRuleFactory(location=store)
        SupplierPartFactory(part=rule.part)
        stock.receive(manager, rule.part, store, D(3), D(3))
        issued(manager, rule.part, store, 1, 5)
    with django_assert_max_num_queries(5):
        assert len(reorder.reorder_proposals(needs={})) == 30


quantities = st.decimals(min_value=0, max_value=1000, places=3)


@given(
    projected=st.decimals(min_value=-100, max_value=100, places=3),
    point=quantities,
    extra=quantities,
    minimum=st.decimals(min_value=D("0.001"), max_value=50, places=3),
    unit=st.sampled_from(Unit.values),
)
def test_a_proposal_orders_at_least_the_minimum_and_brings_stock_back_over_the_reorder_point(
    projected: Decimal, point: Decimal, extra: Decimal, minimum: Decimal, unit: str
) -> None:
    whole = unit in reorder.WHOLE_UNITS
    quantity = reorder.order_quantity(projected, point + extra, minimum, whole)
    assert quantity >= minimum
    assert projected + quantity >= point + extra >= point
    if whole:
        assert quantity == quantity.to_integral_value()
