"""KPI formulas on small cases computed by hand: January 2026 is 744 hours for one equipment."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from maintenir.assets.models import Equipment
from maintenir.assets.tests.factories import EquipmentFactory, SiteFactory
from maintenir.core.tests.factories import UserFactory
from maintenir.reliability import measures, monthly, services
from maintenir.reliability.choices import GroupBy
from maintenir.reliability.services import Period, kpis, totals
from maintenir.reliability.tests.factories import ProductionRecordFactory
from maintenir.workorders.choices import DowntimeCause, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import FailureMode, WorkOrder
from maintenir.workorders.tests.factories import DowntimeFactory, PartUsageFactory, TimeEntryFactory, WorkOrderFactory

JANUARY = Period.of_days(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
AFTER = timezone.make_aware(datetime.datetime(2026, 3, 1))
C = DowntimeCause


def at(day: int, hour: int = 0, month: int = 1) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, month, day, hour))


def down(
    equipment: Any, cause: str, start: datetime.datetime, end: datetime.datetime | None, order: Any = None
) -> None:
    DowntimeFactory(equipment=equipment, cause=cause, started_at=start, ended_at=end, work_order=order)


def corrective(equipment: Any, created: datetime.datetime, **fields: Any) -> Any:
    order = WorkOrderFactory(equipment=equipment, **fields)
    WorkOrder.objects.filter(pk=order.pk).update(created=created)
    monthly.refresh([equipment.pk])  # as every path that writes without save() does
    return order


def only(equipment: Any, period: Period = JANUARY, now: datetime.datetime = AFTER) -> services.Figures:
    return totals(Equipment.objects.filter(pk=equipment.pk), period, now)


@pytest.mark.django_db
def test_mtbf_mttr_and_both_availabilities() -> None:
    press = EquipmentFactory()
    first = corrective(press, at(5, 10))
    corrective(press, at(10, 8), failure_mode=FailureMode.objects.get(code="ELP"))
    corrective(press, at(12, 8), status=WorkOrderStatus.CANCELLED)  # not a failure
    corrective(press, at(5, 10, month=2))  # another period
    down(press, C.FAILURE, at(5, 10), at(5, 14), first)
    down(press, C.FAILURE, at(10, 8), at(10, 10))
    down(press, C.PREVENTIVE, at(20, 8), at(20, 11))
    down(press, C.EXTERNAL, at(25, 8), at(25, 9))

    figures = only(press)

    assert figures.required_hours == 744
    assert figures.downtime == {C.FAILURE: 6, C.PREVENTIVE: 3, C.EXTERNAL: 1}
    assert figures.operating_hours == 734
    assert figures.failures == 2
    assert figures.mtbf == 367
    assert figures.mttr == 3
    assert figures.availability == pytest.approx(367 / 370)
    assert figures.maintenance_availability == pytest.approx(734 / 743)


@pytest.mark.django_db
def test_overlapping_downtime_counts_once_for_the_interval_that_began_first() -> None:
    press = EquipmentFactory()
    down(press, C.FAILURE, at(5, 8), at(5, 12))
    down(press, C.PREVENTIVE, at(5, 10), at(5, 13))
    down(press, C.EXTERNAL, at(5, 9), at(5, 11))  # inside the failure: adds nothing

    figures = only(press)

    assert figures.downtime == {C.FAILURE: 4, C.PREVENTIVE: 1, C.EXTERNAL: 0}
    assert figures.downtime_hours == 5


@pytest.mark.django_db
def test_downtime_is_cut_to_the_period_and_an_open_one_runs_to_now_or_the_end() -> None:
    press = EquipmentFactory()
    down(press, C.FAILURE, timezone.make_aware(datetime.datetime(2025, 12, 31, 22)), at(1, 2))
    down(press, C.FAILURE, at(31, 20), None)

    assert only(press).downtime_hours == 2 + 4
    assert only(press, now=at(31, 22)).downtime_hours == 2 + 2


@pytest.mark.django_db
def test_corrective_work_that_found_no_failure_is_not_a_failure() -> None:
    """EN 13306: a failure is coded with its mode or stopped the equipment; a PLC backup did neither."""
    press = EquipmentFactory()
    corrective(press, at(3, 9), title="Sauvegarde automate")
    coded = corrective(press, at(4, 9), failure_mode=FailureMode.objects.get(code="ELP"))
    stopped = corrective(press, at(6, 9))
    down(press, C.FAILURE, at(6, 9), at(6, 11), stopped)
    planned_stop = corrective(press, at(8, 9))
    down(press, C.PREVENTIVE, at(8, 9), at(8, 10), planned_stop)

    scope = Equipment.objects.filter(pk=press.pk)
    assert only(press).failures == 2
    assert {order.pk for order in services.failures(JANUARY)} == {coded.pk, stopped.pk}
    assert sum(bar.value for bar in services.pareto(scope, JANUARY, "failure_mode")) == 2
    assert sum(bar.value for bar in services.pareto(scope, JANUARY, "equipment")) == 2
    assert [row.failures for row in kpis(scope, JANUARY, GroupBy.EQUIPMENT, AFTER)] == [2]


@pytest.mark.django_db
def test_equipment_that_never_failed() -> None:
    press = EquipmentFactory()

    figures = only(press)

    assert figures.failures == 0
    assert figures.mtbf is None
    assert figures.mttr is None
    assert figures.availability == 1
    assert figures.maintenance_availability == 1
    assert figures.operating_hours == 744


@pytest.mark.django_db
def test_an_empty_scope_has_no_figures() -> None:
    EquipmentFactory()
    nothing = Equipment.objects.none()

    assert kpis(nothing, JANUARY, GroupBy.SITE) == []
    figures = totals(nothing, JANUARY)
    assert figures.required_hours == 0
    assert figures.availability is None
    assert figures.maintenance_availability is None
    assert figures.compliance is None
    assert figures.oee is None


@pytest.mark.django_db
def test_labour_parts_cost_and_preventive_corrective_ratio(settings: Any) -> None:
    settings.MAINTENIR_LABOUR_HOURLY_COST = 50
    press = EquipmentFactory()
    repair = WorkOrderFactory(equipment=press)
    service = WorkOrderFactory(equipment=press, work_type=WorkOrderType.PREVENTIVE_SYSTEMATIC)
    improvement = WorkOrderFactory(equipment=press, work_type=WorkOrderType.IMPROVEMENT)
    technician = UserFactory()
    for order, day, hours in ((repair, 5, "6"), (service, 6, "2"), (service, 7, "1"), (improvement, 8, "1")):
        TimeEntryFactory(
            work_order=order, technician=technician, date=datetime.date(2026, 1, day), hours=Decimal(hours)
        )
    TimeEntryFactory(work_order=repair, technician=technician, date=datetime.date(2026, 2, 1), hours=Decimal(8))
    part = PartUsageFactory(work_order=repair, quantity=Decimal(2), unit_cost=Decimal("12.50"))
    PartUsageFactory(work_order=repair, unit_cost=None)
    type(part).objects.update(created=at(5, 12))
    monthly.refresh()

    figures = only(press)

    assert figures.labour_hours == 10
    assert figures.preventive_hours == 3
    assert figures.corrective_hours == 6
    assert figures.pc_ratio == pytest.approx(0.5)
    assert figures.labour_cost == 500
    assert figures.parts_cost == 25
    assert figures.cost == 525


@pytest.mark.django_db
def test_backlog_is_the_estimate_of_approved_work_not_done() -> None:
    press = EquipmentFactory()
    S = WorkOrderStatus
    for status, hours in ((S.APPROVED, "4"), (S.PLANNED, "2.5"), (S.ON_HOLD, None), (S.REQUESTED, "10"), (S.DONE, "3")):
        WorkOrderFactory(equipment=press, status=status, estimated_hours=hours and Decimal(hours))

    figures = only(press)

    assert figures.backlog_hours == 6.5
    assert figures.backlog_orders == 3


@pytest.mark.django_db
def test_schedule_compliance_of_preventive_work() -> None:
    press = EquipmentFactory()
    preventive = WorkOrderType.PREVENTIVE_SYSTEMATIC
    for due, completed, status in (
        (15, at(14, 16), WorkOrderStatus.DONE),
        (20, at(22, 9), WorkOrderStatus.DONE),
        (25, None, WorkOrderStatus.PLANNED),
        (10, None, WorkOrderStatus.CANCELLED),
    ):
        WorkOrderFactory(
            equipment=press,
            work_type=preventive,
            due_date=datetime.date(2026, 1, due),
            completed_at=completed,
            status=status,
        )
    WorkOrderFactory(equipment=press, work_type=preventive, due_date=datetime.date(2026, 2, 3))
    # Done late in the evening of its due day (local time): on time.
    WorkOrderFactory(
        equipment=press,
        work_type=WorkOrderType.PREVENTIVE_CONDITIONAL,
        due_date=datetime.date(2026, 1, 30),
        completed_at=at(30, 23),
        status=WorkOrderStatus.CLOSED,
    )

    figures = only(press)

    assert figures.preventive_due == 4
    assert figures.preventive_on_time == 2
    assert figures.compliance == 0.5


@pytest.mark.django_db
def test_oee_is_availability_times_performance_times_quality() -> None:
    press = EquipmentFactory()
    ProductionRecordFactory(equipment=press)  # 8 h planned, 6 h run, 100/h, 500 made, 50 rejected
    ProductionRecordFactory(equipment=press, date=datetime.date(2026, 2, 2), output=1)

    figures = only(press)

    assert figures.oee_availability == 0.75
    assert figures.performance == pytest.approx(500 / 600)
    assert figures.quality == 0.9
    assert figures.oee == pytest.approx(0.75 * 500 / 600 * 0.9)


@pytest.mark.django_db
def test_figures_are_grouped_by_the_breakdown() -> None:
    north, south = SiteFactory(name="North"), SiteFactory(name="South")
    a, b = EquipmentFactory(site=north), EquipmentFactory(site=north)
    c = EquipmentFactory(site=south)
    down(a, C.FAILURE, at(3), at(3, 6), corrective(a, at(3)))
    corrective(b, at(4), failure_mode=FailureMode.objects.get(code="ELP"))
    down(c, C.FAILURE, at(5), at(5, 1), corrective(c, at(5)))

    rows = {row.label: row for row in kpis(Equipment.objects.all(), JANUARY, GroupBy.SITE, AFTER)}

    assert set(rows) == {"North", "South"}
    assert rows["North"].equipment == 2
    assert rows["North"].failures == 2
    assert rows["North"].mtbf == (2 * 744 - 6) / 2
    assert rows["North"].mttr == 3
    assert rows["South"].mttr == 1
    by_equipment = kpis(Equipment.objects.all(), JANUARY, GroupBy.EQUIPMENT, AFTER)
    assert sorted(row.failures for row in by_equipment) == [1, 1, 1]
    assert totals(Equipment.objects.all(), JANUARY, AFTER).repair_hours == 7


@pytest.mark.django_db
def test_another_clients_equipment_is_not_counted(equipment_a: Any, equipment_b: Any, client_a: Any) -> None:
    corrective(equipment_b, at(3))
    down(equipment_b, C.FAILURE, at(3), at(3, 6))

    figures = totals(Equipment.objects.restrict(client_a), JANUARY, AFTER)

    assert figures.equipment == 1
    assert figures.failures == 0
    assert figures.downtime_hours == 0


def test_the_months_of_a_period() -> None:
    period = Period.of_days(datetime.date(2025, 11, 15), datetime.date(2026, 1, 10))
    months = [(m.first_day, m.last_day) for m in period.months()]
    assert months == [
        (datetime.date(2025, 11, 15), datetime.date(2025, 11, 30)),
        (datetime.date(2025, 12, 1), datetime.date(2025, 12, 31)),
        (datetime.date(2026, 1, 1), datetime.date(2026, 1, 10)),
    ]
    assert Period.last_months(12, datetime.date(2026, 3, 9)).first_day == datetime.date(2025, 4, 1)


intervals = st.lists(
    st.tuples(st.integers(-48, 800), st.integers(0, 100), st.sampled_from(list(C))), min_size=1, max_size=8
)


class TestDowntimeUnion(HypothesisTestCase):
    """The database's downtime equals the length of the union of the intervals cut to the period."""

    @given(intervals)
    def test_union(self, spans: list[tuple[int, int, str]]) -> None:
        press = EquipmentFactory()
        for start, length, cause in spans:
            down(
                press,
                cause,
                JANUARY.start + datetime.timedelta(hours=start),
                JANUARY.start + datetime.timedelta(hours=start + length),
            )
        covered: set[int] = set()
        for start, length, _cause in spans:
            covered |= {hour for hour in range(start, start + length) if 0 <= hour < 744}
        assert only(press).downtime_hours == pytest.approx(len(covered))


def test_utc_offsets_follow_daylight_saving_time() -> None:
    start = timezone.make_aware(datetime.datetime(2026, 1, 1))
    end = timezone.make_aware(datetime.datetime(2027, 1, 1))
    utc = datetime.UTC
    assert measures.utc_offsets(start, end) == [
        (datetime.datetime(2026, 3, 29, 1, tzinfo=utc), 3600),
        (datetime.datetime(2026, 10, 25, 1, tzinfo=utc), 7200),
        (end, 3600),
    ]


@pytest.mark.django_db
def test_schedule_compliance_uses_the_local_day_in_summer_time() -> None:
    press = EquipmentFactory()
    preventive = WorkOrderType.PREVENTIVE_SYSTEMATIC
    due = datetime.date(2026, 7, 10)
    # 23:30 and 00:30 local are 21:30 and 22:30 UTC of the due day: only the first is on time.
    for done in (
        at(10, 23, month=7) + datetime.timedelta(minutes=30),
        at(11, 0, month=7) + datetime.timedelta(minutes=30),
    ):
        WorkOrderFactory(
            equipment=press, work_type=preventive, due_date=due, completed_at=done, status=WorkOrderStatus.DONE
        )

    figures = only(press, Period.of_days(datetime.date(2026, 7, 1), datetime.date(2026, 7, 31)))

    assert (figures.preventive_due, figures.preventive_on_time) == (2, 1)
