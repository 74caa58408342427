import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.tests.factories import UserFactory
from maintenir.reliability.models import EquipmentEvent, ImprovementProposal, ProductionRecord


class ProductionRecordFactory(DjangoModelFactory):
    class Meta:
        model = ProductionRecord

    equipment = factory.SubFactory(EquipmentFactory)
    date = datetime.date(2026, 1, 12)
    planned_hours = Decimal(8)
    run_hours = Decimal(6)
    nominal_rate = Decimal(100)
    output = 500
    rejects = 50


class EquipmentEventFactory(DjangoModelFactory):
    class Meta:
        model = EquipmentEvent

    equipment = factory.SubFactory(EquipmentFactory)
    occurred_at = datetime.datetime(2026, 1, 12, 6, tzinfo=datetime.UTC)
    code = "error1"


class ImprovementProposalFactory(DjangoModelFactory):
    class Meta:
        model = ImprovementProposal

    equipment = factory.SubFactory(EquipmentFactory)
    title = "PTFE seals on the cylinders"
    argument = "Three leaks in twelve months."
    modification = "Replace the nitrile seals by PTFE seals."
    cost = Decimal(1200)
    expected_gain = Decimal(4800)
    proposed_by = factory.SubFactory(UserFactory)
