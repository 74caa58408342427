"""Connected equipment: the points a driver reads, storing what it read, and the devices' reachability."""

import dataclasses
import datetime
import logging
import math
import operator
from collections.abc import Collection, Sequence

from django.db import transaction

from maintenir.core import bulk
from maintenir.devices.choices import DataType, DeviceStatus
from maintenir.devices.drivers.base import (
    ERROR,
    POINT_ID,
    QUALITY,
    TIME,
    VALUE,
    Connection,
    DeviceError,
    Driver,
    PointSpec,
    Sample,
    SampleRow,
)
from maintenir.devices.models import Device, Point, Reading
from maintenir.devices.signals import device_unreachable, readings_stored

logger = logging.getLogger(__name__)


def connection_of(device: Device) -> Connection:
    return Connection(device.host, device.effective_port, device.unit_id, device.timeout, dict(device.options))


SPEC_FIELDS = [spec_field.name for spec_field in dataclasses.fields(PointSpec)]


def point_spec(point: Point) -> PointSpec:
    return PointSpec(**{name: getattr(point, name) for name in SPEC_FIELDS})


def point_specs(device: Device) -> list[PointSpec]:
    return point_specs_by_device([device])[device.pk]


async def read_value(driver: Driver, point: PointSpec) -> float:
    """One point's value now; a value the device could not give is a DeviceError saying why."""
    (sample,) = await driver.read([point])
    if sample.value is None:
        raise DeviceError(sample.error)
    return sample.value


def tolerance(point: PointSpec, value: float) -> float:
    """How far a value read back may be from the value written: float32 rounding, or half a step of an
    integer register (a register of scale 0.1 holds 21.55 as 21.5 or 21.6)."""
    if point.data_type in {DataType.FLOAT32, DataType.FLOAT64}:
        return max(1e-4, abs(value) * 1e-6)
    return abs(point.scale) / 2 + 1e-9


def reads_as(point: PointSpec, value: float, expected: float, margin: float = 0.0) -> bool:
    """Whether `value` read from the point is `expected`, within `margin` and the point's own resolution."""
    return math.isclose(value, expected, abs_tol=max(margin, tolerance(point, expected)))


def point_specs_by_device(devices: Collection[Device]) -> dict[int, list[PointSpec]]:
    """The points of many devices in one query; read as values, since the service loads tens of
    thousands of them at its start and model instances would cost it seconds."""
    specs: dict[int, list[PointSpec]] = {device.pk: [] for device in devices}
    rows = Point.objects.filter(device__in=devices).order_by("pk").values_list("device_id", *SPEC_FIELDS)
    for device_id, *values in rows:
        specs[device_id].append(PointSpec(*values))
    return specs


READING_COLUMNS = ("point_id", "time", "value", "quality")
_reading_values = operator.itemgetter(POINT_ID, TIME, VALUE, QUALITY)
_time_of = operator.itemgetter(TIME)


@transaction.atomic
def store_samples(samples: Sequence[SampleRow]) -> int:
    """Append the readings and move each point's current value to its latest one; one transaction.

    Once committed, `signals.readings_stored` lets conditional maintenance look at them at once.
    """
    bulk.insert_rows(Reading, READING_COLUMNS, list(map(_reading_values, samples)))
    # Oldest first: the last sample of a point is its latest (of equal times, the last delivered).
    by_time = sorted(samples, key=_time_of)
    latest = {sample[POINT_ID]: sample for sample in by_time}
    point_ids = sorted(latest)
    for point_id, last_time, last_error in Point.objects.filter(pk__in=point_ids).values_list(
        "pk", "last_time", "last_error"
    ):
        # A reading delivered late (an MQTT batch, a buffered gateway) does not replace a newer current value.
        if last_time is not None and last_time > latest[point_id][TIME]:
            del latest[point_id]
        elif latest[point_id][ERROR] != last_error:
            # Logged when the reason changes, not at every poll.
            if latest[point_id][ERROR]:
                logger.warning("point %d: %s", point_id, latest[point_id][ERROR])
            else:
                logger.info("point %d reads again", point_id)
    bulk.update(
        Point,
        ["last_value", "last_time", "last_quality", "last_error"],
        [
            {
                "id": point_id,
                "last_value": sample[VALUE],
                "last_time": sample[TIME],
                "last_quality": sample[QUALITY],
                "last_error": sample[ERROR],
            }
            for point_id, sample in latest.items()
        ],
    )
    transaction.on_commit(lambda: readings_stored.send(sender=Reading, point_ids=point_ids, samples=by_time))
    return len(samples)


def record_answers(device_ids: Collection[int], now: datetime.datetime) -> None:
    """The devices answered: they are online (again)."""
    Device.objects.filter(pk__in=device_ids).update(
        status=DeviceStatus.ONLINE, last_seen=now, failing_since=None, last_error=""
    )


@transaction.atomic
def record_polls(samples: Sequence[Sample], device_ids: Collection[int], now: datetime.datetime) -> int:
    """What several polls read, and which devices answered, in one transaction."""
    record_answers(device_ids, now)
    return store_samples(samples) if samples else 0


@transaction.atomic
def record_failure(device_id: int, error: str, now: datetime.datetime) -> bool:
    """The device did not answer. Past its grace period it becomes unreachable, and that is announced
    once (`signals.device_unreachable`), not at every failed poll. Returns whether it was announced now."""
    device = Device.objects.select_for_update().get(pk=device_id)
    changed = error != device.last_error
    device.failing_since = device.failing_since or now
    device.last_error = error
    announce = device.status != DeviceStatus.UNREACHABLE and now - device.failing_since >= datetime.timedelta(
        seconds=device.grace_period
    )
    # Logged when the device becomes unreachable or its reason changes, not at every failed poll.
    if announce:
        device.status = DeviceStatus.UNREACHABLE
        logger.warning("device %s unreachable: %s", device, error)
    elif changed:
        logger.warning("device %s: %s", device, error)
    Device.objects.filter(pk=device_id).update(
        failing_since=device.failing_since, last_error=error, status=device.status
    )
    if announce:
        device_unreachable.send(sender=Device, device=device, error=error)
    return announce


def enabled_devices() -> list[Device]:
    return list(Device.objects.filter(is_enabled=True).order_by("pk"))


def ingestible_points() -> set[int]:
    """Points whose readings may be pushed (MQTT): those of enabled devices."""
    return set(Point.objects.filter(device__is_enabled=True).values_list("pk", flat=True))
