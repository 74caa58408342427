"""The maintenance company's working calendar: Monday to Friday, French public holidays off, and the
working hours of `MAINTENIR_WORKING_HOURS`. Preventive triggers skip non-working days with it; urgent
requests outside working time go to the technician on call."""

import datetime
import functools

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


@functools.cache
def _french_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.France(years=year))


def is_public_holiday(day: datetime.date) -> bool:
    return day in _french_holidays(day.year)


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday and not a French public holiday."""
    return day.weekday() < 5 and not is_public_holiday(day)


def working_hours() -> tuple[datetime.time, datetime.time]:
    """The start and end of the working day, from MAINTENIR_WORKING_HOURS ("08:00-17:00")."""
    text = settings.MAINTENIR_WORKING_HOURS
    try:
        start, end = (datetime.time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError as error:
        raise ImproperlyConfigured(f"MAINTENIR_WORKING_HOURS must read like 08:00-17:00, not {text!r}") from error
    if start >= end:
        raise ImproperlyConfigured(f"MAINTENIR_WORKING_HOURS ends before it starts: {text!r}")
    return start, end


def is_working_time(moment: datetime.datetime) -> bool:
    """Whether `moment` falls on a working day, between the start (included) and the end of working hours."""
    local = timezone.localtime(moment)
    start, end = working_hours()
    return is_working_day(local.date()) and start <= local.time() < end
