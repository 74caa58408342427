"""Connected equipment: the points a driver reads, storing what it read, and the devices' reachability."""

import datetime
import math
from collections.abc import Collection, Sequence

from django.db import transaction

from maintenir.core import bulk
from maintenir.devices.choices import DataType, DeviceStatus
from maintenir.devices.drivers.base import Connection, DeviceError, Driver, PointSpec, Sample
from maintenir.devices.models import Device, Point, Reading
from maintenir.devices.signals import device_unreachable, readings_stored


def connection_of(device: Device) -> Connection:
    return Connection(device.host, device.effective_port, device.unit_id, device.timeout, dict(device.options))


def point_spec(point: Point) -> PointSpec:
    return PointSpec(
        id=point.pk,
        address=point.address,
        register_type=point.register_type,
        data_type=point.data_type,
        word_order=point.word_order,
        scale=point.scale,
        offset=point.offset,
        min_value=point.min_value,
        max_value=point.max_value,
        write_priority=point.write_priority,
        dpt=point.dpt,
        subscribed=point.subscribed,
    )


def point_specs(device: Device) -> list[PointSpec]:
    return [point_spec(point) for point in device.points.order_by("pk")]


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
    """The points of many devices in one query."""
    specs: dict[int, list[PointSpec]] = {device.pk: [] for device in devices}
    for point in Point.objects.filter(device__in=devices).order_by("pk"):
        specs[point.device_id].append(point_spec(point))
    return specs


@transaction.atomic
def store_samples(samples: Sequence[Sample]) -> int:
    """Append the readings and move each point's current value to its latest one; one transaction.

    Once committed, `signals.readings_stored` lets conditional maintenance look at them at once.
    """
    bulk.insert(
        Reading,
        [
            {"point_id": sample.point_id, "time": sample.time, "value": sample.value, "quality": sample.quality}
            for sample in samples
        ],
    )
    latest: dict[int, Sample] = {}
    for sample in samples:
        if sample.point_id not in latest or sample.time >= latest[sample.point_id].time:
            latest[sample.point_id] = sample
    # A reading delivered late (an MQTT batch, a buffered gateway) does not replace a newer current value.
    for point_id, last_time in Point.objects.filter(pk__in=latest, last_time__isnull=False).values_list(
        "pk", "last_time"
    ):
        if last_time is not None and last_time > latest[point_id].time:
            del latest[point_id]
    bulk.update(
        Point,
        ["last_value", "last_time", "last_quality"],
        [
            {
                "id": sample.point_id,
                "last_value": sample.value,
                "last_time": sample.time,
                "last_quality": sample.quality,
            }
            for sample in latest.values()
        ],
    )
    fresh: dict[int, list[tuple[datetime.datetime, float]]] = {}
    for sample in sorted(samples, key=lambda sample: sample.time):
        if sample.value is not None:
            fresh.setdefault(sample.point_id, []).append((sample.time, sample.value))
    transaction.on_commit(lambda: readings_stored.send(sender=Reading, point_ids=sorted(fresh), readings=fresh))
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
    device.failing_since = device.failing_since or now
    device.last_error = error
    announce = device.status != DeviceStatus.UNREACHABLE and now - device.failing_since >= datetime.timedelta(
        seconds=device.grace_period
    )
    if announce:
        device.status = DeviceStatus.UNREACHABLE
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
