"""Factories of the purchasing records: reorder rules, requests, purchase orders and their lines."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from maintenir.stores.choices import PurchaseOrderStatus
from maintenir.stores.models import PurchaseOrder, PurchaseOrderLine, PurchaseRequest, ReorderRule
from maintenir.stores.tests.factories import LocationFactory, PartFactory, SupplierFactory, SupplierPartFactory


class ReorderRuleFactory(DjangoModelFactory):
    class Meta:
        model = ReorderRule

    part = factory.SubFactory(PartFactory)
    location = factory.SubFactory(LocationFactory)
    reorder_point = Decimal(2)
    maximum = Decimal(6)


class PurchaseRequestFactory(DjangoModelFactory):
    class Meta:
        model = PurchaseRequest

    part = factory.SubFactory(PartFactory)
    location = factory.SubFactory(LocationFactory)
    quantity = Decimal(4)
    reason = "Below its reorder point"


class PurchaseOrderFactory(DjangoModelFactory):
    class Meta:
        model = PurchaseOrder

    number = factory.Sequence(lambda n: f"PO-2026-{n + 9000:04d}")
    supplier = factory.SubFactory(SupplierFactory, email="orders@roulements-rhone.example")
    status = PurchaseOrderStatus.SENT


class PurchaseOrderLineFactory(DjangoModelFactory):
    class Meta:
        model = PurchaseOrderLine

    order = factory.SubFactory(PurchaseOrderFactory)
    part = factory.SubFactory(PartFactory)
    location = factory.SubFactory(LocationFactory)
    supplier_reference = "6205-2RSH"
    quantity = Decimal(10)
    unit_price = Decimal("7.80")


def purchasing_records() -> Any:
    """One row of each purchasing model, all the company's: a rule, a request, a sent order with its line."""
    offer = SupplierPartFactory(supplier__email="orders@roulements-rhone.example")
    store = LocationFactory()
    ReorderRuleFactory(part=offer.part, location=store)
    PurchaseRequestFactory(part=offer.part, location=store, supplier=offer.supplier)
    return PurchaseOrderLineFactory(order__supplier=offer.supplier, part=offer.part, location=store)


@dataclass
class PurchasingWorld:
    """The company's purchasing, in the states the API's transitions start from."""

    supplier: Any
    store: Any
    part: Any  # under its reorder rule, with nothing in stock: proposed
    requested_part: Any
    unsold: Any  # no supplier sells it yet
    rule: Any
    request: Any
    draft: Any
    sent: Any
    sent_line: Any


def build_purchasing() -> PurchasingWorld:
    supplier = SupplierFactory(email="commandes@roulements-rhone.example")
    store = LocationFactory()
    part = SupplierPartFactory(supplier=supplier, lead_time_days=5).part
    requested_part = SupplierPartFactory(supplier=supplier).part
    ordered = SupplierPartFactory(supplier=supplier).part
    draft = PurchaseOrderLineFactory(order__supplier=supplier, order__status=PurchaseOrderStatus.DRAFT, part=ordered)
    sent_line = PurchaseOrderLineFactory(order__supplier=supplier, part=ordered, location=store)
    return PurchasingWorld(
        supplier=supplier,
        store=store,
        part=part,
        requested_part=requested_part,
        unsold=PartFactory(),
        rule=ReorderRuleFactory(part=part, location=store),
        request=PurchaseRequestFactory(part=requested_part, location=store),
        draft=draft.order,
        sent=sent_line.order,
        sent_line=sent_line,
    )
