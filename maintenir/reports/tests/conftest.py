"""The scenes the report tests read back: a finished repair, a site's fortnight, two months of a site."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from maintenir.assets.choices import EquipmentStatus
from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.preventive import services as preventive
from maintenir.preventive.choices import IntervalUnit
from maintenir.preventive.tests.factories import GammeFactory, MaintenancePlanFactory, TriggerFactory
from maintenir.reliability.choices import ProposalStatus
from maintenir.reliability.services import Period
from maintenir.reliability.tests.factories import ImprovementProposalFactory
from maintenir.workorders.choices import DowntimeCause, SignOffRole, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import FailureCause, FailureMode, WorkOrder
from maintenir.workorders.tests.factories import (
    PNG_BASE64,
    ChecklistStepFactory,
    DowntimeFactory,
    PartUsageFactory,
    SignOffFactory,
    TimeEntryFactory,
    WorkOrderFactory,
    WorkRequestFactory,
    WorkRequestPhotoFactory,
    failure_order,
)


@pytest.fixture
def done_order(equipment_a: Any, technician: Any) -> Any:
    """A repaired leak: two steps (one measurement out of range), time, parts, coding, downtime, photo, signed."""
    mode = FailureMode.objects.order_by("code").first()
    cause = FailureCause.objects.order_by("code").first()
    order = WorkOrderFactory(
        equipment=equipment_a,
        status=WorkOrderStatus.DONE,
        title="Fuite huile vérin",
        findings="Joint de tige usé, remplacé.",
        failure_mode=mode,
        failure_cause=cause,
        assignees=[technician],
    )
    request = WorkRequestFactory(equipment=equipment_a, symptom="Flaque d'huile sous le vérin", work_order=order)
    WorkRequestPhotoFactory(work_request=request)
    ChecklistStepFactory(
        work_order=order,
        position=1,
        instruction="Mesurer la pression hydraulique",
        unit="bar",
        requires_measurement=True,
        expected_min=Decimal(150),
        expected_max=Decimal(180),
        measured_value=Decimal("162.5"),
        is_done=True,
        done_by=technician,
    )
    ChecklistStepFactory(
        work_order=order,
        position=2,
        instruction="Mesurer la température d'huile",
        unit="°C",
        expected_max=Decimal(60),
        measured_value=Decimal("71.2"),
        is_done=True,
    )
    TimeEntryFactory(work_order=order, technician=technician, hours=Decimal("2.50"))
    TimeEntryFactory(work_order=order, technician=technician, hours=Decimal("1.25"), note="Essais")
    PartUsageFactory(work_order=order, description="Kit joints vérin", quantity=Decimal(2), unit_cost=Decimal("37.40"))
    PartUsageFactory(work_order=order, description="Huile HV46", quantity=Decimal(5), unit_cost=Decimal("8.10"))
    start = timezone.now() - datetime.timedelta(hours=5)
    DowntimeFactory(
        equipment=equipment_a,
        work_order=order,
        cause=DowntimeCause.FAILURE,
        started_at=start,
        ended_at=start + datetime.timedelta(hours=3, minutes=30),
    )
    SignOffFactory(
        work_order=order, role=SignOffRole.CLIENT, name="Agnès Roux", signature=f"data:image/png;base64,{PNG_BASE64}"
    )
    return order


# Two weeks away from a daylight-saving change: 336 hours.
PERIOD = Period.of_days(datetime.date(2026, 11, 2), datetime.date(2026, 11, 15))


def in_november(day: int, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 11, day, hour))


@pytest.fixture
def site_history(equipment_a: Any, manager: Any, technician: Any) -> dict[str, Any]:
    """AHU-01 failed once in the period (12 h down, repaired); PMP-02 is down since before it."""
    site = equipment_a.site
    pump = EquipmentFactory(site=site, code="PMP-02", name="Pompe de relevage", status=EquipmentStatus.DOWN)
    DowntimeFactory(equipment=pump, cause=DowntimeCause.FAILURE, started_at=in_november(14, 6))
    repair = WorkOrderFactory(
        equipment=equipment_a,
        title="Courroie ventilateur cassée",
        status=WorkOrderStatus.DONE,
        findings="Courroie remplacée, tension réglée.",
        completed_at=in_november(5, 19),
    )
    WorkOrder.objects.filter(pk=repair.pk).update(created=in_november(5, 8))
    DowntimeFactory(
        equipment=equipment_a,
        work_order=repair,
        cause=DowntimeCause.FAILURE,
        started_at=in_november(5, 8),
        ended_at=in_november(5, 20),
    )
    TimeEntryFactory(work_order=repair, technician=technician, date=datetime.date(2026, 11, 5), hours=Decimal("3.5"))
    ChecklistStepFactory(
        work_order=repair,
        instruction="Mesurer l'intensité moteur",
        unit="A",
        expected_max=Decimal(12),
        measured_value=Decimal("13.4"),
        is_done=True,
        done_at=in_november(5, 18),
    )
    before = WorkOrderFactory(equipment=equipment_a, title="Hors période", status=WorkOrderStatus.DONE)
    WorkOrder.objects.filter(pk=before.pk).update(completed_at=in_november(1, 12))
    WorkOrderFactory(equipment=pump, title="Remplacer la garniture mécanique", status=WorkOrderStatus.PLANNED)
    WorkRequestFactory(equipment=pump, symptom="Bruit anormal au démarrage")
    ImprovementProposalFactory(
        equipment=equipment_a, title="Variateur sur le ventilateur", status=ProposalStatus.APPROVED
    )
    ImprovementProposalFactory(equipment=equipment_a, title="Proposition refusée", status=ProposalStatus.REJECTED)
    gamme = GammeFactory(code="visite-cta")
    preventive.publish_gamme(manager, gamme, [{"instruction": "Changer les filtres", "duration_minutes": 30}])
    trigger = TriggerFactory.build(
        plan=MaintenancePlanFactory(site=site),
        equipment=equipment_a,
        gamme=gamme,
        interval=1,
        interval_unit=IntervalUnit.MONTH,
        start_date=timezone.localdate() + datetime.timedelta(days=10),
    )
    preventive.save_trigger(manager, trigger)
    return {"site": site, "pump": pump, "next_visit": trigger.start_date}


# September 2026 (720 h) and August (744 h): no daylight-saving change in either.
SEPTEMBER = datetime.date(2026, 9, 1)


def in_2026(month: int, day: int, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, month, day, hour))


def failure(equipment: Any, mode: Any, start: datetime.datetime, hours: int) -> Any:
    return failure_order(equipment, start, hours, status=WorkOrderStatus.DONE, failure_mode=mode)


@pytest.fixture
def site_months(equipment_a: Any) -> Any:
    """Two equipment: two failures in September (6 h and 4 h down, 4 h of labour), one in August (2 h); two
    preventive orders due in September, one done on time, one still open; two orders in the backlog."""
    pump = EquipmentFactory(site=equipment_a.site, code="PMP-02", name="Pompe de relevage")
    mode = FailureMode.objects.order_by("code").first()
    repair = failure(equipment_a, mode, in_2026(9, 3, 8), 6)
    TimeEntryFactory(work_order=repair, date=datetime.date(2026, 9, 3), hours=Decimal(4))
    failure(pump, mode, in_2026(9, 17, 10), 4)
    failure(equipment_a, mode, in_2026(8, 12, 9), 2)
    preventive = {"work_type": WorkOrderType.PREVENTIVE_SYSTEMATIC}
    WorkOrderFactory(
        equipment=equipment_a,
        status=WorkOrderStatus.DONE,
        due_date=datetime.date(2026, 9, 10),
        completed_at=in_2026(9, 9, 12),
        **preventive,
    )
    WorkOrderFactory(
        equipment=pump,
        title="Visite annuelle pompe",
        status=WorkOrderStatus.PLANNED,
        due_date=datetime.date(2026, 9, 20),
        estimated_hours=Decimal(3),
        **preventive,
    )
    WorkOrderFactory(equipment=equipment_a, title="Capteur à remplacer", estimated_hours=Decimal(2))
    return equipment_a.site
