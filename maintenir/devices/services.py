"""Connected equipment: the points a driver reads, storing what it read, and the devices' reachability."""

import datetime
from collections.abc import Sequence

from django.db import transaction

from maintenir.core import bulk
from maintenir.devices.choices import DeviceStatus
from maintenir.devices.drivers.base import Connection, PointSpec, Sample
from maintenir.devices.models import Device, Point, Reading
from maintenir.devices.signals import device_unreachable, readings_stored


def connection_of(device: Device) -> Connection:
    return Connection(
        device.host, device.effective_port, device.unit_id, device.timeout, device.options.get("path", "")
    )


def point_specs(device: Device) -> list[PointSpec]:
    return [
        PointSpec(
            id=point.pk,
            address=point.address,
            register_type=point.register_type,
            data_type=point.data_type,
            word_order=point.word_order,
            scale=point.scale,
            offset=point.offset,
            min_value=point.min_value,
            max_value=point.max_value,
        )
        for point in device.points.order_by("pk")
    ]


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


def record_answer(device_id: int, now: datetime.datetime) -> None:
    """The device answered: it is online again."""
    Device.objects.filter(pk=device_id).update(
        status=DeviceStatus.ONLINE, last_seen=now, failing_since=None, last_error=""
    )


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
