"""Parts from stock cost what their issue movement says; free-text parts cost what was typed."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from maintenir.assets.models import Equipment
from maintenir.reliability import monthly
from maintenir.reliability.services import Period, totals
from maintenir.stores import services as stock
from maintenir.stores.tests.factories import LocationFactory, PartFactory
from maintenir.workorders import services as workorders
from maintenir.workorders.choices import WorkOrderStatus
from maintenir.workorders.models import PartUsage
from maintenir.workorders.tests.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db
D = Decimal
JANUARY = Period.of_days(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))


def issued_and_typed(manager: Any, equipment: Any) -> Any:
    """Seven bearings issued at a weighted average of 9.8286 (the order's line shows 9.83), and a typed part."""
    bearing = PartFactory()
    store = LocationFactory()
    stock.receive(manager, bearing, store, D(3), D("9.80"))
    stock.receive(manager, bearing, store, D(4), D("9.85"))
    order = WorkOrderFactory(equipment=equipment, status=WorkOrderStatus.IN_PROGRESS)
    usage = workorders.issue_part(manager, order, bearing, store, D(7))
    assert usage.unit_cost == D("9.83")
    workorders.add_part(manager, order, "Joint torique Ø40", D(2), D("12.50"))
    workorders.add_part(manager, order, "Chiffons")
    PartUsage.objects.update(created=timezone.make_aware(datetime.datetime(2026, 1, 10, 9)))
    monthly.refresh()
    return order


def test_the_kpis_count_the_issue_movements(manager: Any, equipment_a: Any) -> None:
    issued_and_typed(manager, equipment_a)
    figures = totals(Equipment.objects.filter(pk=equipment_a.pk), JANUARY)
    # 7 × 9.8286 = 68.8002 from the ledger (not 7 × 9.83 = 68.81), plus 2 × 12.50 typed.
    assert figures.parts_cost == pytest.approx(93.8002)
