"""The scheduling rules of preventive triggers, as pure functions of dates, counter values and readings.

The generator (`services.generate`) loads triggers and their schedule states in bulk and asks
these functions what falls due; they never touch the database, so they are tested on their own.

A calendar series is computed from its anchor (`anchor + k × interval`), never by adding an
interval to the previous date, so a monthly series anchored on 31 January comes back to the 31st
after February instead of drifting to the 28th.
"""

import calendar
import datetime
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from maintenir.core.workdays import is_working_day
from maintenir.preventive.choices import Anchor, ConditionOperator, IntervalUnit

# A catch-up never walks more occurrences than this in one run (a daily series left alone for 27 years).
MAX_CATCH_UP = 10_000


def add_interval(anchor: datetime.date, count: int, unit: str) -> datetime.date:
    """`anchor` plus `count` units; months and years end on the last day of a shorter month."""
    if unit == IntervalUnit.DAY:
        return anchor + datetime.timedelta(days=count)
    if unit == IntervalUnit.WEEK:
        return anchor + datetime.timedelta(weeks=count)
    if unit == IntervalUnit.MONTH:
        return _add_months(anchor, count)
    if unit == IntervalUnit.YEAR:
        return _add_months(anchor, 12 * count)
    raise ValueError(f"unknown interval unit {unit!r}")


def _add_months(anchor: datetime.date, months: int) -> datetime.date:
    year, month = divmod(anchor.year * 12 + anchor.month - 1 + months, 12)
    return datetime.date(year, month + 1, min(anchor.day, calendar.monthrange(year, month + 1)[1]))


def next_working_day(day: datetime.date) -> datetime.date:
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


@dataclass(frozen=True)
class CalendarRule:
    interval: int
    unit: str
    anchor: str = Anchor.SCHEDULE
    skip_non_working_days: bool = False

    def nominal(self, anchor_date: datetime.date, occurrence: int) -> datetime.date:
        return add_interval(anchor_date, self.interval * occurrence, self.unit)

    def scheduled(self, nominal: datetime.date) -> datetime.date:
        """The day the work is planned: the nominal date, or the next working day when asked."""
        return next_working_day(nominal) if self.skip_non_working_days else nominal


@dataclass(frozen=True)
class CounterRule:
    interval: Decimal
    # Generate once this share of the interval has run, so the work can be planned before it is due.
    lead_percent: int = 90

    def generate_from(self, next_value: Decimal) -> Decimal:
        return next_value - self.interval * (100 - self.lead_percent) / 100


@dataclass
class ScheduleState:
    """Where a trigger stands for one equipment; the generator saves it back after each run."""

    anchor_date: datetime.date | None = None
    occurrence: int = 0
    next_counter: Decimal | None = None
    has_open_order: bool = False
    skipped: int = 0


@dataclass(frozen=True)
class Occurrence:
    """One order to generate: the day it is planned and the reason it fell due."""

    scheduled_for: datetime.date
    by_counter: bool = False


def advance(
    state: ScheduleState,
    today: datetime.date,
    until: datetime.date,
    calendar: CalendarRule | None = None,
    counter: CounterRule | None = None,
    counter_value: Decimal | None = None,
) -> Occurrence | None:
    """Bring `state` up to date and return the occurrence to generate, if one falls due by `until`.

    With both rules (whichever first), one order covers the current occurrence of both series.
    While an order is open, later occurrences that fall due (by `today` on the calendar, or
    by the counter reaching them) are counted in `state.skipped`, never generated.
    """
    occurrence = None
    if not state.has_open_order:
        calendar_due = (
            calendar is not None
            and state.anchor_date is not None
            and calendar.nominal(state.anchor_date, state.occurrence) <= until
        )
        counter_due = (
            counter is not None
            and counter_value is not None
            and state.next_counter is not None
            and counter_value >= counter.generate_from(state.next_counter)
        )
        if calendar_due or counter_due:
            dates = []
            if calendar is not None and state.anchor_date is not None and calendar_due:
                dates.append(calendar.scheduled(calendar.nominal(state.anchor_date, state.occurrence)))
            if counter_due:
                dates.append(today)
            occurrence = Occurrence(scheduled_for=min(dates), by_counter=counter_due and not calendar_due)
            if calendar is not None and state.anchor_date is not None:
                state.occurrence += 1
            if counter is not None and state.next_counter is not None:
                state.next_counter += counter.interval
            state.has_open_order = True
    if state.has_open_order:
        _count_skipped(state, today, calendar, counter, counter_value)
    return occurrence


def _count_skipped(
    state: ScheduleState,
    today: datetime.date,
    calendar: CalendarRule | None,
    counter: CounterRule | None,
    counter_value: Decimal | None,
) -> None:
    if calendar is not None and state.anchor_date is not None:
        for _ in range(MAX_CATCH_UP):
            if calendar.nominal(state.anchor_date, state.occurrence) > today:
                break
            state.occurrence += 1
            state.skipped += 1
    if (
        counter is not None
        and counter_value is not None
        and state.next_counter is not None
        and counter_value >= state.next_counter
    ):
        passed = int((counter_value - state.next_counter) // counter.interval) + 1
        state.next_counter += counter.interval * passed
        state.skipped += passed


def complete(
    state: ScheduleState,
    completed_on: datetime.date,
    calendar: CalendarRule | None = None,
    counter: CounterRule | None = None,
    counter_value: Decimal | None = None,
) -> None:
    """The open order is done: restart the series that count from the last completion.

    A counter always counts from the last completion; a calendar series does when anchored on
    completion or combined with a counter (whichever first restarts both).
    """
    state.has_open_order = False
    if calendar is not None and (calendar.anchor == Anchor.COMPLETION or counter is not None):
        state.anchor_date = completed_on
        state.occurrence = 1
    if counter is not None and counter_value is not None:
        state.next_counter = counter_value + counter.interval


def is_late(completed_on: datetime.date, scheduled_for: datetime.date, tolerance_days: int) -> bool:
    """Schedule compliance: done after the end of its tolerance window."""
    return completed_on > scheduled_for + datetime.timedelta(days=tolerance_days)


Reading = tuple[datetime.datetime, float]


@dataclass(frozen=True)
class ConditionRule:
    operator: str
    threshold: float
    # Upper bound of the band for OUTSIDE.
    threshold_high: float | None = None
    hold: datetime.timedelta = datetime.timedelta(0)

    def holds(self, previous: Reading | None, reading: Reading) -> bool:
        value = reading[1]
        if self.operator == ConditionOperator.ABOVE:
            return value > self.threshold
        if self.operator == ConditionOperator.BELOW:
            return value < self.threshold
        if self.operator == ConditionOperator.OUTSIDE:
            high = self.threshold if self.threshold_high is None else self.threshold_high
            return value < self.threshold or value > high
        if self.operator == ConditionOperator.RATE:
            if previous is None:
                return False
            days = (reading[0] - previous[0]).total_seconds() / 86400
            return days > 0 and abs(value - previous[1]) / days > self.threshold
        raise ValueError(f"unknown operator {self.operator!r}")

    def held_since(self, readings: Sequence[Reading]) -> datetime.datetime | None:
        """When the latest unbroken run of readings meeting the rule began (None if the last one does not)."""
        since = None
        previous = None
        for reading in readings:
            since = (since or reading[0]) if self.holds(previous, reading) else None
            previous = reading
        return since

    def is_met(self, readings: Sequence[Reading], now: datetime.datetime) -> bool:
        """Some run of readings met the rule for at least its holding duration: until the reading that
        broke it, or until now. With no holding duration, a single reading is enough (a spike counts)."""
        since = None
        previous = None
        for reading in readings:
            if self.holds(previous, reading):
                since = since or reading[0]
            elif since is not None:
                if reading[0] - since >= self.hold:
                    return True
                since = None
            previous = reading
        return since is not None and now - since >= self.hold


def forecast_crossing(readings: Sequence[Reading], limit: float, rising: bool = True) -> datetime.datetime | None:
    """When the least-squares line through the readings reaches `limit`, if it is heading there.

    `rising`: the limit is a maximum the value climbs towards (else a minimum it falls to).
    None with fewer than two distinct times or a trend that is flat or moving away from the
    limit; a time in the past when the trend has already crossed it.
    """
    if len({time for time, _ in readings}) < 2:
        return None
    origin = readings[0][0]
    days = [(time - origin).total_seconds() / 86400 for time, _ in readings]
    slope, intercept = statistics.linear_regression(days, [value for _, value in readings])
    if (slope <= 0) if rising else (slope >= 0):
        return None
    try:
        return origin + datetime.timedelta(days=(limit - intercept) / slope)
    except OverflowError:
        return None
