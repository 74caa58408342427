"""Counter readings: counters only go up, whatever order the readings arrive in."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maintenir.assets.models import Counter, CounterReading
from maintenir.assets.services import current_value, record_counter_reading
from maintenir.assets.tests.factories import CounterFactory
from maintenir.core.choices import Role
from maintenir.core.tests.factories import UserFactory

START = timezone.make_aware(datetime.datetime(2026, 1, 5, 8, 0))


def at(hours: int) -> datetime.datetime:
    return START + datetime.timedelta(hours=hours)


@pytest.fixture
def counter(equipment_a: Any) -> Counter:
    return CounterFactory(equipment=equipment_a)


def test_readings_between_earlier_and_later_values(counter: Counter, technician: Any) -> None:
    record_counter_reading(technician, counter, 100, at(0))
    record_counter_reading(technician, counter, 300, at(20))
    for value, hours in [(99, 1), (301, 10), (50, 30)]:
        with pytest.raises(ValidationError):
            record_counter_reading(technician, counter, value, at(hours))
    reading = record_counter_reading(technician, counter, "100", at(10))
    assert (reading.value, reading.recorded_by) == (Decimal(100), technician)
    record_counter_reading(technician, counter, 300, at(30))
    assert counter.readings.count() == 4
    assert current_value(counter) == Decimal(300)


def test_negative_value_is_invalid(counter: Counter, technician: Any) -> None:
    with pytest.raises(ValidationError):
        record_counter_reading(technician, counter, -1, at(0))


@pytest.mark.parametrize("persona", ["administrator", "manager", "technician", "operator_a"])
def test_staff_and_operators_record_readings(persona: str, request: pytest.FixtureRequest, counter: Counter) -> None:
    record_counter_reading(request.getfixturevalue(persona), counter, 5)
    assert counter.readings.count() == 1


@pytest.mark.parametrize("persona", ["client_a", "client_b"])
@pytest.mark.parametrize("value", [5, -1])
def test_clients_cannot_record_readings(
    persona: str, value: int, request: pytest.FixtureRequest, counter: Counter
) -> None:
    with pytest.raises(PermissionDenied):
        record_counter_reading(request.getfixturevalue(persona), counter, value)
    assert not CounterReading.objects.exists()


def test_other_organisation_operator_cannot_record(counter: Counter, org_b: Any) -> None:
    outsider = UserFactory(username="operator-b", role=Role.OPERATOR, organisation=org_b)
    with pytest.raises(PermissionDenied):
        record_counter_reading(outsider, counter, 5)
    assert not CounterReading.objects.exists()


readings = st.lists(
    st.tuples(st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=50)),
    min_size=1,
    max_size=8,
    unique_by=lambda reading: reading[0],
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(readings=readings)
def test_any_arrival_order_accepted_iff_values_follow_time(
    readings: list[tuple[int, int]], counter: Counter, technician: Any
) -> None:
    """Readings (hour, value) arrive in any order; all are accepted iff the value never drops over time."""
    with transaction.atomic():
        accepted: list[tuple[int, int]] = []
        for hours, value in readings:
            consistent = all(v <= value for h, v in accepted if h < hours) and all(
                v >= value for h, v in accepted if h > hours
            )
            try:
                record_counter_reading(technician, counter, value, at(hours))
            except ValidationError:
                assert not consistent
            else:
                assert consistent
                accepted.append((hours, value))
        stored = list(counter.readings.order_by("read_at").values_list("value", flat=True))
        assert stored == sorted(stored)
        in_time_order = [value for _, value in sorted(readings)]
        assert (len(accepted) == len(readings)) == (in_time_order == sorted(in_time_order))
        transaction.set_rollback(True)
