"""The monthly figures: equal to the figures computed from the rows on random histories, and kept up
to date by every save and delete of a row they sum."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from maintenir.assets.models import Equipment
from maintenir.assets.tests.factories import EquipmentFactory, SiteFactory
from maintenir.core.tests.factories import UserFactory
from maintenir.reliability import monthly
from maintenir.reliability.choices import GroupBy, ParetoBy
from maintenir.reliability.models import MonthlyFigures
from maintenir.reliability.services import Period, combined, kpis, pareto, totals, trend
from maintenir.reliability.tests.factories import ProductionRecordFactory
from maintenir.workorders.choices import DowntimeCause, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import FailureMode, WorkOrder
from maintenir.workorders.tests.factories import DowntimeFactory, TimeEntryFactory, WorkOrderFactory

# Three months around the change to summer time, and the month after.
QUARTER = Period.of_days(datetime.date(2026, 2, 1), datetime.date(2026, 4, 30))
MARCH = Period.of_days(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
START = QUARTER.start - datetime.timedelta(days=10)
HOURS = int((QUARTER.end - START).total_seconds() // 3600) + 240
NOW = QUARTER.end + datetime.timedelta(days=40)


def moment(hour: int) -> datetime.datetime:
    return START + datetime.timedelta(hours=hour)


def same(mine: Any, theirs: Any) -> None:
    ours, other = mine.as_dict(), theirs.as_dict()
    assert ours.keys() == other.keys()
    for name, value in other.items():
        if name == "downtime" or isinstance(value, float):
            assert ours[name] == pytest.approx(value, abs=1e-6), name
        else:
            assert ours[name] == value, name


def check_both_ways(now: datetime.datetime = NOW) -> None:
    """Every figure the pages and the API show, from the monthly rows and from the rows themselves."""
    everything = Equipment.objects.all()
    for period in (QUARTER, MARCH):
        same(totals(everything, period, now), totals(everything, period, now, direct=True))
        for group_by in GroupBy:
            read = {row.key: row for row in kpis(everything, period, group_by, now)}
            computed = {row.key: row for row in kpis(everything, period, group_by, now, direct=True)}
            assert read.keys() == computed.keys()
            for key, row in computed.items():
                same(read[key], row)
            # The page adds up its breakdown's rows for its totals.
            same(combined(list(read.values())), totals(everything, period, now, direct=True))
        for (_month, read_month), (_same_month, computed_month) in zip(
            trend(everything, period, now), trend(everything, period, now, direct=True), strict=True
        ):
            same(read_month, computed_month)
        for by in ParetoBy:
            assert pareto(everything, period, by) == pareto(everything, period, by, direct=True)


intervals = st.lists(
    st.tuples(
        st.integers(0, 2),  # equipment
        st.sampled_from(list(DowntimeCause)),
        st.integers(0, HOURS),  # start
        st.one_of(st.none(), st.integers(0, 24 * 50)),  # length; None: still open
        st.booleans(),  # on a corrective order
    ),
    max_size=8,
)
orders = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.sampled_from(list(WorkOrderType)),
        st.integers(0, HOURS),  # created
        st.booleans(),  # failure mode coded
        st.sampled_from([WorkOrderStatus.DONE, WorkOrderStatus.CANCELLED, WorkOrderStatus.APPROVED]),
        st.integers(-5, 5),  # completed this many days after its due date
        st.integers(0, 3),  # hours booked
    ),
    max_size=8,
)


class MonthlyFiguresEqualTheRows(HypothesisTestCase):
    """Random histories on three equipment of two sites, around the change to summer time: the figures
    read from the monthly rows equal the figures computed from the rows, for every breakdown."""

    @settings(max_examples=25, deadline=None)
    @given(intervals, orders, st.booleans())
    def test_random_histories(self, spans: list[Any], work: list[Any], now_inside: bool) -> None:
        north, south = SiteFactory(name="North"), SiteFactory(name="South")
        equipment = [EquipmentFactory(site=north), EquipmentFactory(site=north), EquipmentFactory(site=south)]
        technician = UserFactory()
        mode = FailureMode.objects.get(code="ELP")
        for index, work_type, created, coded, status, late, hours in work:
            due = timezone.localdate(moment(created))
            order = WorkOrderFactory(
                equipment=equipment[index],
                work_type=work_type,
                status=status,
                failure_mode=mode if coded else None,
                due_date=due,
                completed_at=moment(created) + datetime.timedelta(days=late)
                if status != WorkOrderStatus.APPROVED
                else None,
            )
            WorkOrder.objects.filter(pk=order.pk).update(created=moment(created))
            if hours:
                TimeEntryFactory(work_order=order, technician=technician, date=due, hours=Decimal(hours))
        for index, cause, start, length, on_order in spans:
            order = (
                WorkOrderFactory(equipment=equipment[index], work_type=WorkOrderType.CORRECTIVE) if on_order else None
            )
            DowntimeFactory(
                equipment=equipment[index],
                cause=cause,
                work_order=order if on_order else None,
                started_at=moment(start),
                ended_at=None if length is None else moment(start) + datetime.timedelta(hours=length),
            )
        ProductionRecordFactory(equipment=equipment[0], date=datetime.date(2026, 3, 30))
        # The creation dates were written by updates, as a bulk load does.
        monthly.refresh()
        check_both_ways(MARCH.start + datetime.timedelta(days=12) if now_inside else NOW)


def test_an_interval_cut_by_months_adds_up_to_the_interval_cut_by_the_period() -> None:
    """Cutting the pieces of the union by month, then adding the months, gives the union cut by the
    period: the months do not overlap, so a piece's parts in each month add up to the piece."""
    months = list(QUARTER.months())
    piece = (moment(100).timestamp(), moment(24 * 70).timestamp())
    parts = [
        max(0.0, min(piece[1], month.end.timestamp()) - max(piece[0], month.start.timestamp())) for month in months
    ]
    assert sum(parts) == min(piece[1], QUARTER.end.timestamp()) - max(piece[0], QUARTER.start.timestamp())


@pytest.mark.django_db
def test_saving_and_deleting_rows_keeps_the_figures() -> None:
    press = EquipmentFactory()
    stop = DowntimeFactory(
        equipment=press,
        cause=DowntimeCause.FAILURE,
        started_at=moment(24 * 30),
        ended_at=moment(24 * 30 + 5),
    )
    check_both_ways()
    assert MonthlyFigures.objects.filter(equipment=press).exists()
    stop.ended_at = moment(24 * 60)  # now across two months
    stop.save()
    check_both_ways()
    order = WorkOrderFactory(equipment=press, work_type=WorkOrderType.CORRECTIVE)
    stop.work_order = order
    stop.save()
    check_both_ways()
    order.status = WorkOrderStatus.CANCELLED
    order.save()
    check_both_ways()
    TimeEntryFactory(work_order=order, date=datetime.date(2026, 3, 3), hours=Decimal(2))
    order.work_type = WorkOrderType.PREVENTIVE_SYSTEMATIC
    order.save()
    check_both_ways()
    stop.delete()
    check_both_ways()
    order.delete()
    check_both_ways()
    assert not MonthlyFigures.objects.filter(equipment=press).exists()


@pytest.mark.django_db
def test_an_equipment_goes_with_its_figures() -> None:
    press = EquipmentFactory()
    DowntimeFactory(equipment=press, cause=DowntimeCause.EXTERNAL, started_at=moment(5), ended_at=moment(9))
    press.delete()
    assert not MonthlyFigures.objects.exists()


@pytest.mark.django_db
def test_the_page_of_a_year_runs_the_same_queries_whatever_the_history(client: Any, manager: Any) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/reliability/").status_code == 200
        return len(captured)

    client.force_login(manager)
    site = SiteFactory()
    press = EquipmentFactory(site=site)
    queries()  # the session's first request
    before = queries()
    for day in range(1, 20):
        start = timezone.now() - datetime.timedelta(days=30 * (day % 11) + day)
        DowntimeFactory(
            equipment=EquipmentFactory(site=site) if day % 3 else press,
            cause=DowntimeCause.FAILURE,
            started_at=start,
            ended_at=start + datetime.timedelta(hours=2),
        )
    assert queries() == before
