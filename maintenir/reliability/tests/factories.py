import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.reliability.models import ProductionRecord


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
