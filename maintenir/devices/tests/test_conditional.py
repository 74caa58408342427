"""Readings of a device point feed the condition and trend triggers of the preventive plans."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maintenir.devices import services
from maintenir.devices.choices import Quality
from maintenir.devices.drivers.base import Sample
from maintenir.devices.retention import compact_readings
from maintenir.devices.tests.factories import PointFactory
from maintenir.preventive.choices import ConditionOperator, TriggerKind
from maintenir.preventive.models import TriggerState
from maintenir.preventive.services import generate
from maintenir.preventive.tests.factories import GammeStepFactory, TriggerFactory
from maintenir.workorders.choices import WorkOrderType
from maintenir.workorders.models import WorkOrder

# The order is generated once the readings are committed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def vibration(equipment_a: Any) -> Any:
    return PointFactory(device__equipment=equipment_a, name="vibration", unit="mm/s")


def watch(point: Any, equipment: Any, **rule: Any) -> Any:
    gamme = GammeStepFactory(instruction="Contrôler les roulements").version.gamme
    return TriggerFactory(
        plan__site=equipment.site,
        equipment=equipment,
        gamme=gamme,
        interval=None,
        point=point,
        **rule,
    )


def samples(point: Any, values: list[float], every: datetime.timedelta) -> list[Sample]:
    end = timezone.now()
    return [
        Sample(point.pk, end - every * (len(values) - 1 - n), value, Quality.GOOD) for n, value in enumerate(values)
    ]


def test_crossing_a_limit_creates_the_conditional_order_at_once(vibration: Any, equipment_a: Any) -> None:
    watch(vibration, equipment_a, kind=TriggerKind.CONDITION, operator=ConditionOperator.ABOVE, threshold=7.1)
    services.store_samples(samples(vibration, [3.2, 3.4], datetime.timedelta(minutes=1)))
    assert not WorkOrder.objects.exists()
    services.store_samples(samples(vibration, [7.5], datetime.timedelta(minutes=1)))
    order = WorkOrder.objects.get()
    assert (order.work_type, order.equipment) == (WorkOrderType.PREVENTIVE_CONDITIONAL, equipment_a)
    services.store_samples(samples(vibration, [7.8], datetime.timedelta(minutes=1)))
    assert WorkOrder.objects.count() == 1


def test_a_rising_trend_is_forecast_and_worked_on_before_the_limit(vibration: Any, equipment_a: Any) -> None:
    trigger = watch(
        vibration,
        equipment_a,
        kind=TriggerKind.PREDICTIVE,
        operator=ConditionOperator.ABOVE,
        threshold=11.0,
        horizon_days=30,
    )
    # +0.1 mm/s a day from 2 mm/s over 60 days: the limit is 30 days away.
    services.store_samples(samples(vibration, [2.0 + 0.1 * day for day in range(61)], datetime.timedelta(days=1)))
    order = WorkOrder.objects.get()
    assert "reaches its limit" in order.description
    assert TriggerState.objects.get(trigger=trigger).forecast_at is not None


def test_the_point_must_belong_to_the_equipment(vibration: Any, equipment_b: Any) -> None:
    trigger = TriggerFactory.build(
        plan=TriggerFactory(plan__site=equipment_b.site, equipment=equipment_b).plan,
        gamme=GammeStepFactory().version.gamme,
        equipment=equipment_b,
        kind=TriggerKind.CONDITION,
        operator=ConditionOperator.ABOVE,
        threshold=1.0,
        interval=None,
        point=vibration,
    )
    with pytest.raises(ValidationError) as error:
        trigger.full_clean()
    assert "point" in error.value.message_dict


def test_a_condition_held_since_before_the_last_readings_counts(vibration: Any, equipment_a: Any) -> None:
    watch(
        vibration,
        equipment_a,
        kind=TriggerKind.CONDITION,
        operator=ConditionOperator.ABOVE,
        threshold=7.1,
        hold_minutes=10,
    )
    # Above the limit for half an hour, with a sparse sensor: one reading 30 minutes ago, one now.
    services.store_samples(samples(vibration, [8.0, 8.1], datetime.timedelta(minutes=30)))
    assert WorkOrder.objects.get().work_type == WorkOrderType.PREVENTIVE_CONDITIONAL


def test_a_trend_still_sees_the_readings_rolled_up_by_the_retention(vibration: Any, equipment_a: Any) -> None:
    # 2 mm/s for a month, then 5 mm/s: a rise over 61 days, flat over the 31 days kept raw.
    services.store_samples(samples(vibration, [2.0] * 29 + [5.0] * 32, datetime.timedelta(days=1)))
    report = compact_readings(timezone.now())
    assert report.readings >= 29  # those older than 31 days, to the hour
    watch(
        vibration,
        equipment_a,
        kind=TriggerKind.PREDICTIVE,
        operator=ConditionOperator.ABOVE,
        threshold=11.0,
        horizon_days=365,
    )
    generate(now=timezone.now())
    assert "reaches its limit" in WorkOrder.objects.get().description
