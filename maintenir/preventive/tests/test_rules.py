import calendar
import datetime
import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maintenir.preventive import rules
from maintenir.preventive.choices import Anchor, ConditionOperator, IntervalUnit

DAY = datetime.timedelta(days=1)
dates = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2090, 12, 31))
units = st.sampled_from(list(IntervalUnit))


class TestCalendarArithmetic:
    @given(dates, st.integers(min_value=0, max_value=240))
    def test_months_keep_the_day_or_end_on_the_last_day(self, anchor: datetime.date, months: int) -> None:
        result = rules.add_interval(anchor, months, IntervalUnit.MONTH)
        assert (result.year * 12 + result.month) - (anchor.year * 12 + anchor.month) == months
        assert result.day == min(anchor.day, calendar.monthrange(result.year, result.month)[1])

    def test_a_series_anchored_on_the_31st_comes_back_to_the_31st(self) -> None:
        rule = rules.CalendarRule(1, IntervalUnit.MONTH)
        anchor = datetime.date(2027, 1, 31)
        series = [rule.nominal(anchor, k) for k in range(4)]
        assert series == [
            datetime.date(2027, 1, 31),
            datetime.date(2027, 2, 28),
            datetime.date(2027, 3, 31),
            datetime.date(2027, 4, 30),
        ]

    def test_a_yearly_series_on_29_february(self) -> None:
        rule = rules.CalendarRule(1, IntervalUnit.YEAR)
        anchor = datetime.date(2028, 2, 29)
        assert [rule.nominal(anchor, k) for k in range(5)] == [
            datetime.date(2028, 2, 29),
            datetime.date(2029, 2, 28),
            datetime.date(2030, 2, 28),
            datetime.date(2031, 2, 28),
            datetime.date(2032, 2, 29),
        ]

    @given(dates, st.integers(min_value=1, max_value=400))
    def test_days_and_weeks_are_exact(self, anchor: datetime.date, count: int) -> None:
        assert rules.add_interval(anchor, count, IntervalUnit.DAY) - anchor == count * DAY
        assert rules.add_interval(anchor, count, IntervalUnit.WEEK) - anchor == 7 * count * DAY

    @given(dates, units, st.integers(min_value=1, max_value=12))
    def test_series_only_move_forward(self, anchor: datetime.date, unit: IntervalUnit, interval: int) -> None:
        rule = rules.CalendarRule(interval, unit)
        series = [rule.nominal(anchor, k) for k in range(12)]
        assert series == sorted(set(series))

    @given(dates)
    def test_next_working_day(self, day: datetime.date) -> None:
        result = rules.next_working_day(day)
        assert result >= day
        assert rules.is_working_day(result)
        assert all(not rules.is_working_day(day + k * DAY) for k in range((result - day).days))

    def test_french_public_holidays_are_skipped(self) -> None:
        # 14 July 2027 is a Wednesday; Christmas 2027 a Saturday, then Sunday.
        assert rules.next_working_day(datetime.date(2027, 7, 14)) == datetime.date(2027, 7, 15)
        assert rules.next_working_day(datetime.date(2027, 12, 25)) == datetime.date(2027, 12, 27)
        # Easter Monday 2027 is 29 March.
        assert rules.next_working_day(datetime.date(2027, 3, 27)) == datetime.date(2027, 3, 30)


def run_days(
    rule: rules.CalendarRule,
    start: datetime.date,
    days: int,
    completion_delays: list[int],
) -> tuple[rules.ScheduleState, int, list[datetime.date]]:
    """Run the generator once a day for `days`; each order is completed after the next delay."""
    state = rules.ScheduleState(anchor_date=start)
    orders = []
    completion_day = None
    delays = iter(completion_delays)
    for offset in range(days):
        today = start + offset * DAY
        if completion_day is not None and today >= completion_day:
            rules.complete(state, today, rule)
            completion_day = None
        occurrence = rules.advance(state, today, today, rule)
        if occurrence is not None:
            orders.append(occurrence.scheduled_for)
            completion_day = today + next(delays, 0) * DAY
    return state, len(orders), orders


class TestCalendarTriggers:
    @given(
        st.integers(min_value=1, max_value=10),
        units,
        st.lists(st.integers(min_value=0, max_value=90), max_size=50),
        dates,
    )
    def test_no_occurrence_is_lost_on_a_schedule_anchored_series(
        self, interval: int, unit: IntervalUnit, delays: list[int], start: datetime.date
    ) -> None:
        rule = rules.CalendarRule(interval, unit, Anchor.SCHEDULE)
        days = 400
        state, orders, _ = run_days(rule, start, days, delays)
        last_day = start + (days - 1) * DAY
        due = next(k for k in range(days + 1) if rule.nominal(start, k) > last_day)
        assert orders + state.skipped == due

    @given(st.integers(min_value=1, max_value=60), st.lists(st.integers(min_value=0, max_value=30), max_size=30))
    def test_completion_anchored_series_restart_from_the_completion(self, interval: int, delays: list[int]) -> None:
        rule = rules.CalendarRule(interval, IntervalUnit.DAY, Anchor.COMPLETION)
        _, _, orders = run_days(rule, datetime.date(2027, 1, 1), 300, delays)
        completions = [day + delay * DAY for day, delay in zip(orders, [*delays, *[0] * len(orders)], strict=False)]
        for completed, following in zip(completions, orders[1:], strict=False):
            assert following >= completed + interval * DAY

    def test_one_open_order_and_skipped_occurrences(self) -> None:
        rule = rules.CalendarRule(1, IntervalUnit.WEEK)
        state = rules.ScheduleState(anchor_date=datetime.date(2027, 3, 1))
        first = rules.advance(state, datetime.date(2027, 3, 1), datetime.date(2027, 3, 1), rule)
        assert first == rules.Occurrence(datetime.date(2027, 3, 1))
        # Three more weeks pass with the order still open.
        assert rules.advance(state, datetime.date(2027, 3, 22), datetime.date(2027, 3, 22), rule) is None
        assert state.skipped == 3
        rules.complete(state, datetime.date(2027, 3, 23), rule)
        following = rules.advance(state, datetime.date(2027, 3, 29), datetime.date(2027, 3, 29), rule)
        assert following == rules.Occurrence(datetime.date(2027, 3, 29))

    @given(dates, st.integers(min_value=0, max_value=60), units, st.integers(min_value=1, max_value=6))
    def test_running_twice_changes_nothing(
        self, start: datetime.date, horizon: int, unit: IntervalUnit, interval: int
    ) -> None:
        rule = rules.CalendarRule(interval, unit)
        state = rules.ScheduleState(anchor_date=start)
        today = start + 200 * DAY
        rules.advance(state, today, today + horizon * DAY, rule)
        snapshot = rules.ScheduleState(**vars(state))
        assert rules.advance(state, today, today + horizon * DAY, rule) is None
        assert state == snapshot

    def test_generated_ahead_without_counting_future_occurrences(self) -> None:
        rule = rules.CalendarRule(1, IntervalUnit.WEEK)
        state = rules.ScheduleState(anchor_date=datetime.date(2027, 3, 8))
        occurrence = rules.advance(state, datetime.date(2027, 3, 1), datetime.date(2027, 3, 20), rule)
        assert occurrence == rules.Occurrence(datetime.date(2027, 3, 8))
        # 15 March is within the horizon but not yet past: not skipped, it waits for the open order.
        assert state.skipped == 0

    def test_weekends_and_holidays_move_the_work_not_the_series(self) -> None:
        rule = rules.CalendarRule(1, IntervalUnit.MONTH, skip_non_working_days=True)
        anchor = datetime.date(2027, 5, 1)  # Labour Day, a Saturday
        assert rule.scheduled(rule.nominal(anchor, 0)) == datetime.date(2027, 5, 3)
        assert rule.nominal(anchor, 1) == datetime.date(2027, 6, 1)

    def test_late_after_the_tolerance_window(self) -> None:
        scheduled = datetime.date(2027, 6, 1)
        assert not rules.is_late(datetime.date(2027, 6, 8), scheduled, 7)
        assert rules.is_late(datetime.date(2027, 6, 9), scheduled, 7)


class TestCounterTriggers:
    @given(
        st.lists(st.decimals(min_value=0, max_value=400, places=1), min_size=1, max_size=60),
        st.decimals(min_value=50, max_value=500, places=0),
    )
    def test_irregular_readings_count_every_interval_passed(self, increments: list[Decimal], interval: Decimal) -> None:
        rule = rules.CounterRule(interval, lead_percent=100)
        state = rules.ScheduleState(next_counter=Decimal(1000) + interval)
        value = Decimal(1000)
        orders = 0
        day = datetime.date(2027, 1, 1)
        for increment in increments:
            value += increment
            if rules.advance(state, day, day, counter=rule, counter_value=value) is not None:
                orders += 1
        assert orders + state.skipped == int((value - 1000) // interval)

    def test_lead_generates_before_the_interval_is_reached(self) -> None:
        rule = rules.CounterRule(Decimal(500), lead_percent=90)
        state = rules.ScheduleState(next_counter=Decimal(1500))
        day = datetime.date(2027, 1, 1)
        assert rules.advance(state, day, day, counter=rule, counter_value=Decimal(1449)) is None
        assert rules.advance(state, day, day, counter=rule, counter_value=Decimal(1450)) == rules.Occurrence(
            day, by_counter=True
        )
        assert state.next_counter == Decimal(2000)
        rules.complete(state, day, counter=rule, counter_value=Decimal(1460))
        assert state.next_counter == Decimal(1960)


class TestWhicheverFirst:
    calendar = rules.CalendarRule(6, IntervalUnit.MONTH)
    counter = rules.CounterRule(Decimal(2000), lead_percent=100)

    def state(self) -> rules.ScheduleState:
        return rules.ScheduleState(anchor_date=datetime.date(2027, 7, 1), next_counter=Decimal(12000))

    def test_the_counter_comes_first(self) -> None:
        state = self.state()
        day = datetime.date(2027, 4, 10)
        occurrence = rules.advance(state, day, day, self.calendar, self.counter, Decimal(12001))
        assert occurrence == rules.Occurrence(day, by_counter=True)
        # The calendar occurrence of 1 July is covered by the same order, not counted as skipped.
        assert rules.advance(state, datetime.date(2027, 7, 2), datetime.date(2027, 7, 2), self.calendar) is None
        assert state.skipped == 0

    def test_the_calendar_comes_first_and_completion_restarts_both(self) -> None:
        state = self.state()
        day = datetime.date(2027, 7, 1)
        assert rules.advance(state, day, day, self.calendar, self.counter, Decimal(11000)) == rules.Occurrence(day)
        rules.complete(state, datetime.date(2027, 7, 5), self.calendar, self.counter, Decimal(11050))
        assert state.anchor_date == datetime.date(2027, 7, 5)
        assert self.calendar.nominal(state.anchor_date, state.occurrence) == datetime.date(2028, 1, 5)
        assert state.next_counter == Decimal(13050)


def at(day: int, hour: int = 0) -> datetime.datetime:
    return datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=day, hours=hour)


class TestConditions:
    def test_held_long_enough(self) -> None:
        rule = rules.ConditionRule(ConditionOperator.ABOVE, 7.0, hold=datetime.timedelta(hours=2))
        readings = [(at(0, 0), 5.0), (at(0, 1), 7.5), (at(0, 2), 8.0)]
        assert rule.held_since(readings) == at(0, 1)
        assert not rule.is_met(readings, at(0, 2))
        assert rule.is_met(readings, at(0, 3))

    def test_a_run_that_lasted_long_enough_counts_even_if_it_ended(self) -> None:
        spike = rules.ConditionRule(ConditionOperator.ABOVE, 7.0)
        assert spike.is_met([(at(0, 0), 5.0), (at(0, 1), 9.0), (at(0, 2), 5.0)], at(0, 3))
        held = rules.ConditionRule(ConditionOperator.ABOVE, 7.0, hold=datetime.timedelta(hours=2))
        short_run = [(at(0, 0), 8.0), (at(0, 1), 8.0), (at(0, 1), 5.0)]
        assert not held.is_met(short_run, at(1))
        long_run = [(at(0, 0), 8.0), (at(0, 2), 8.0), (at(0, 3), 5.0)]
        assert held.is_met(long_run, at(1))

    def test_a_break_restarts_the_holding_time(self) -> None:
        rule = rules.ConditionRule(ConditionOperator.ABOVE, 7.0, hold=datetime.timedelta(hours=2))
        readings = [(at(0, 0), 8.0), (at(0, 1), 6.0), (at(0, 2), 8.0)]
        assert rule.held_since(readings) == at(0, 2)
        assert not rule.is_met(readings, at(0, 3))

    @given(st.lists(st.floats(min_value=-50, max_value=50), min_size=1, max_size=30))
    def test_below_and_outside(self, values: list[float]) -> None:
        readings = [(at(0, hour), value) for hour, value in enumerate(values)]
        below = rules.ConditionRule(ConditionOperator.BELOW, 0.0)
        band = rules.ConditionRule(ConditionOperator.OUTSIDE, -10.0, 10.0)
        assert (below.held_since(readings) is not None) == (values[-1] < 0)
        assert (band.held_since(readings) is not None) == (abs(values[-1]) > 10)

    def test_rate_of_change_per_day(self) -> None:
        rule = rules.ConditionRule(ConditionOperator.RATE, 1.0)
        assert rule.held_since([(at(0), 10.0), (at(1), 10.5)]) is None
        assert rule.held_since([(at(0), 10.0), (at(0, 12), 9.0)]) == at(0, 12)


class TestForecast:
    @given(
        st.floats(min_value=0.01, max_value=10),
        st.floats(min_value=0, max_value=50),
        st.floats(min_value=1, max_value=100),
    )
    def test_exact_on_a_linear_series(self, slope: float, start: float, distance: float) -> None:
        readings = [(at(day), start + slope * day) for day in range(10)]
        limit = start + slope * 9 + distance
        crossing = rules.forecast_crossing(readings, limit)
        assert crossing is not None
        expected = at(0) + datetime.timedelta(days=(limit - start) / slope)
        assert abs((crossing - expected).total_seconds()) < 60

    @given(st.integers(min_value=0, max_value=2**32 - 1))
    def test_close_on_noisy_data(self, seed: int) -> None:
        noise = random.Random(seed)
        # Bearing vibration climbing 0.1 mm/s a day from 2 mm/s, measured with ±0.2 mm/s of noise.
        readings = [(at(day), 2.0 + 0.1 * day + noise.uniform(-0.2, 0.2)) for day in range(60)]
        crossing = rules.forecast_crossing(readings, 11.0)
        assert crossing is not None
        assert abs((crossing - at(90)).total_seconds()) < 4 * 86400

    def test_falling_towards_a_minimum(self) -> None:
        readings = [(at(day), 6.0 - 0.5 * day) for day in range(4)]
        assert rules.forecast_crossing(readings, 2.0, rising=False) == at(8)
        assert rules.forecast_crossing(readings, 2.0, rising=True) is None

    @pytest.mark.parametrize(
        "readings",
        [[], [(at(0), 1.0)], [(at(0), 1.0), (at(0), 2.0)], [(at(0), 3.0), (at(1), 3.0)], [(at(0), 3.0), (at(1), 2.0)]],
    )
    def test_no_forecast_without_a_rising_trend(self, readings: list[rules.Reading]) -> None:
        assert rules.forecast_crossing(readings, 10.0) is None
