"""A small history on client A's site: two equipment, failures coded by mode, downtime, labour and parts."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.reliability import monthly
from maintenir.workorders.models import FailureMode, PartUsage
from maintenir.workorders.tests.factories import PartUsageFactory, TimeEntryFactory, failure_order


def at(month: int, day: int, hour: int = 0, year: int = 2026) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


@pytest.fixture
def history_a(equipment_a: Any, technician: Any) -> dict[str, Any]:
    """Equipment A failed three times (twice by leakage), a second equipment once (vibration)."""
    pump = EquipmentFactory(site=equipment_a.site, code="PMP-07", name="Pompe de relevage")
    leak, vibration = FailureMode.objects.get(code="ELP"), FailureMode.objects.get(code="VIB")
    for equipment, created, hours, mode in (
        (equipment_a, at(1, 5, 8), 4, leak),
        (equipment_a, at(2, 10, 8), 2, leak),
        (equipment_a, at(2, 20, 8), 1, None),
        (pump, at(3, 2, 8), 6, vibration),
    ):
        order = failure_order(equipment, created, hours, failure_mode=mode)
        TimeEntryFactory(work_order=order, technician=technician, date=created.date(), hours=Decimal(hours))
        part = PartUsageFactory(work_order=order, quantity=Decimal(1), unit_cost=Decimal(100))
        PartUsage.objects.filter(pk=part.pk).update(created=created)
    monthly.refresh()
    return {"pump": pump, "leak": leak, "vibration": vibration}
