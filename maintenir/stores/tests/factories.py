import datetime
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.choices import Role
from maintenir.core.tests.factories import UserFactory
from maintenir.stores.choices import LocationKind, MovementKind, UnitEventKind, UnitStatus
from maintenir.stores.models import (
    CycleCount,
    CycleCountLine,
    Interchangeability,
    Location,
    Part,
    PartDocument,
    PartFit,
    RepairableEvent,
    RepairableUnit,
    StockBalance,
    StockMovement,
    Supplier,
    SupplierPart,
)


class PartFactory(DjangoModelFactory):
    class Meta:
        model = Part

    reference = factory.Sequence(lambda n: f"PR-{n:05d}")
    description = "Deep groove ball bearing 6205-2RS"
    manufacturer = "SKF"
    manufacturer_reference = factory.Sequence(lambda n: f"6205-2RSH/{n}")


class InterchangeabilityFactory(DjangoModelFactory):
    class Meta:
        model = Interchangeability

    part = factory.SubFactory(PartFactory)
    replacement = factory.SubFactory(PartFactory, owner=factory.SelfAttribute("..part.owner"))


class SupplierFactory(DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Supplier {n}")


class SupplierPartFactory(DjangoModelFactory):
    class Meta:
        model = SupplierPart

    supplier = factory.SubFactory(SupplierFactory)
    part = factory.SubFactory(PartFactory)
    supplier_reference = factory.Sequence(lambda n: f"SUP-{n}")
    price = Decimal("12.40")


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    code = factory.Sequence(lambda n: f"store-{n}")
    name = factory.Sequence(lambda n: f"Store {n}")
    kind = LocationKind.CENTRAL_STORE


class VanFactory(LocationFactory):
    kind = LocationKind.VAN
    code = factory.Sequence(lambda n: f"van-{n}")
    name = factory.Sequence(lambda n: f"Van {n}")
    technician = factory.SubFactory(UserFactory, role=Role.TECHNICIAN)


class StockBalanceFactory(DjangoModelFactory):
    """A balance written directly, for tests about who sees what (stock tests go through the services)."""

    class Meta:
        model = StockBalance

    part = factory.SubFactory(PartFactory)
    location = factory.SubFactory(LocationFactory)
    on_hand = Decimal(4)
    average_cost = Decimal("8.5")


class StockMovementFactory(DjangoModelFactory):
    class Meta:
        model = StockMovement

    part = factory.SubFactory(PartFactory)
    location = factory.SubFactory(LocationFactory)
    kind = MovementKind.RECEIPT
    quantity = Decimal(4)
    unit_cost = Decimal("8.5")


class CycleCountFactory(DjangoModelFactory):
    """A count written directly, for tests about who sees what (count tests go through the services)."""

    class Meta:
        model = CycleCount

    location = factory.SubFactory(LocationFactory)
    planned_for = factory.LazyFunction(datetime.date.today)


class CycleCountLineFactory(DjangoModelFactory):
    class Meta:
        model = CycleCountLine

    cycle_count = factory.SubFactory(CycleCountFactory)
    part = factory.SubFactory(PartFactory)


class PartFitFactory(DjangoModelFactory):
    """A part fitted on one equipment, of the equipment's client when the part is a client's own."""

    class Meta:
        model = PartFit

    equipment = factory.SubFactory(EquipmentFactory)
    part = factory.SubFactory(PartFactory)
    quantity = Decimal(2)


class RepairableUnitFactory(DjangoModelFactory):
    """A unit written directly, in stock at a location of its owner (transitions go through the services)."""

    class Meta:
        model = RepairableUnit

    part = factory.SubFactory(PartFactory, is_repairable=True)
    serial_number = factory.Sequence(lambda n: f"SN-{n:06d}")
    status = UnitStatus.IN_STOCK
    location = factory.SubFactory(LocationFactory, owner=factory.SelfAttribute("..part.owner"))
    unit_cost = Decimal("1450.00")
    owner = factory.SelfAttribute("part.owner")


class FittedUnitFactory(RepairableUnitFactory):
    """A unit fitted on an equipment of its owner, with the event that says so."""

    class Meta:
        skip_postgeneration_save = True

    status = UnitStatus.FITTED
    location: Any = None
    equipment = factory.SubFactory(EquipmentFactory)
    fitted = factory.RelatedFactory(
        "maintenir.stores.tests.factories.RepairableEventFactory",
        factory_related_name="unit",
        kind=UnitEventKind.FITTED,
        equipment=factory.SelfAttribute("..equipment"),
    )


class RepairableEventFactory(DjangoModelFactory):
    class Meta:
        model = RepairableEvent

    unit = factory.SubFactory(RepairableUnitFactory)
    kind = UnitEventKind.RECEIVED


class PartDocumentFactory(DjangoModelFactory):
    class Meta:
        model = PartDocument

    part = factory.SubFactory(PartFactory)
    title = "Fiche technique"
    file = factory.django.FileField(filename="fiche.pdf", data=b"%PDF-1.4 fiche technique")
