"""The acquisition service against real pymodbus servers on 127.0.0.1."""

import asyncio
import datetime
import logging
import struct
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from maintenir.devices import services
from maintenir.devices.acquisition import Recorder, poll_all, quiet_library_tasks
from maintenir.devices.choices import DeviceStatus, Quality
from maintenir.devices.drivers.base import Sample
from maintenir.devices.models import Device, Point, Reading
from maintenir.devices.tests.factories import DeviceFactory, PointFactory
from maintenir.devices.tests.peers import free_port, modbus_peer
from maintenir.workorders.models import WorkRequest

# The pollers write from worker threads: the data must be committed, and the seeded rows put back after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def float32(value: float) -> list[int]:
    return list(struct.unpack(">HH", struct.pack(">f", value)))


def poll_once() -> dict[int, Any]:
    return asyncio.run(poll_all(asyncio.Event(), cycles=1))


def test_a_poll_stores_the_readings_and_the_current_values(equipment_a: Any) -> None:
    async def scenario() -> Any:
        holding = dict(enumerate([*float32(42.5), 0, 1234]))
        async with modbus_peer(holding=holding) as peer:
            device = await Device.objects.aget(pk=meter.pk)
            device.port = peer.port
            await device.asave(update_fields=["port"])
            return await poll_all(asyncio.Event(), cycles=1)

    meter = DeviceFactory(equipment=equipment_a, name="Compteur TGBT", timeout=1)
    power = PointFactory(device=meter, name="power", address="0", data_type="float32")
    index = PointFactory(device=meter, name="index", address="3", data_type="uint16", scale=0.1)
    stats = asyncio.run(scenario())
    assert stats[meter.pk].samples == 2
    power.refresh_from_db()
    index.refresh_from_db()
    assert (power.last_value, power.last_quality) == (42.5, Quality.GOOD)
    assert index.last_value == pytest.approx(123.4)
    assert Reading.objects.count() == 2
    meter.refresh_from_db()
    assert meter.status == DeviceStatus.ONLINE
    assert meter.last_seen is not None


def test_a_dead_device_becomes_unreachable_and_raises_one_work_request(equipment_a: Any) -> None:
    meter = DeviceFactory(equipment=equipment_a, port=free_port(), timeout=0.5, grace_period=0)
    PointFactory(device=meter)
    poll_once()
    meter.refresh_from_db()
    assert meter.status == DeviceStatus.UNREACHABLE
    assert meter.last_error
    poll_once()
    request = WorkRequest.objects.get()
    assert request.equipment == equipment_a
    assert request.reported_by is None
    assert meter.name in request.symptom


def test_the_grace_period_comes_before_the_alarm(equipment_a: Any) -> None:
    meter = DeviceFactory(equipment=equipment_a, grace_period=300)
    now = timezone.now()
    assert not services.record_failure(meter.pk, "timeout", now)
    assert not services.record_failure(meter.pk, "timeout", now + datetime.timedelta(seconds=299))
    assert services.record_failure(meter.pk, "timeout", now + datetime.timedelta(seconds=300))
    assert not services.record_failure(meter.pk, "timeout", now + datetime.timedelta(seconds=900))
    assert WorkRequest.objects.count() == 1
    services.record_answers([meter.pk], now + datetime.timedelta(seconds=901))
    meter.refresh_from_db()
    assert (meter.status, meter.failing_since, meter.last_error) == (DeviceStatus.ONLINE, None, "")


def test_a_silent_device_does_not_delay_the_others(equipment_a: Any) -> None:
    async def scenario() -> tuple[Any, float]:
        silent_server = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
        async with modbus_peer(holding={0: 7}) as peer:
            await Device.objects.filter(pk=silent.pk).aupdate(port=silent_server.sockets[0].getsockname()[1])
            await Device.objects.filter(pk=good.pk).aupdate(port=peer.port)
            started = time.monotonic()
            stats = await poll_all(asyncio.Event(), cycles=1)
            elapsed = time.monotonic() - started
        silent_server.close()
        return stats, elapsed

    silent = DeviceFactory(equipment=equipment_a, name="silent", timeout=1.0)
    good = DeviceFactory(equipment=equipment_a, name="good", timeout=1.0)
    PointFactory(device=silent, address="0", data_type="uint16")
    PointFactory(device=good, address="0", data_type="uint16")
    stats, elapsed = asyncio.run(scenario())
    assert (stats[good.pk].samples, stats[silent.pk].failures) == (1, 1)
    # Both pollers ran side by side: the whole cycle took about one timeout, not one per device.
    assert elapsed < 1.9


def test_the_current_value_is_the_latest_sample(equipment_a: Any) -> None:
    point = PointFactory(device__equipment=equipment_a)
    now = timezone.now()
    services.store_samples(
        [
            Sample(point.pk, now, 2.0, Quality.GOOD),
            Sample(point.pk, now - datetime.timedelta(seconds=5), 1.0, Quality.GOOD),
        ]
    )
    point.refresh_from_db()
    assert point.last_value == 2.0
    assert Reading.objects.filter(point=point).count() == 2
    services.store_samples([Sample(point.pk, now - datetime.timedelta(minutes=1), 0.5, Quality.GOOD)])
    point.refresh_from_db()
    assert point.last_value == 2.0
    assert Reading.objects.filter(point=point).count() == 3


def test_samples_that_arrive_during_the_last_write_are_stored(equipment_a: Any, monkeypatch: Any) -> None:
    """The pollers may finish while the recorder is writing: what they added then is written too."""
    point = PointFactory(device__equipment=equipment_a)
    recorder = Recorder()
    stop = asyncio.Event()
    late = Sample(point.pk, timezone.now(), 2.0, Quality.GOOD)
    record_polls = services.record_polls

    def slow_write(*args: Any) -> int:
        # The last poll's samples come in, and the service stops, while the first write is under way.
        if not stop.is_set():
            recorder.add([late])
            stop.set()
        return record_polls(*args)

    async def scenario() -> None:
        recorder.add([Sample(point.pk, timezone.now(), 1.0, Quality.GOOD)])
        await recorder.run(stop)

    monkeypatch.setattr(services, "record_polls", slow_write)
    asyncio.run(scenario())
    assert sorted(Reading.objects.values_list("value", flat=True)) == [1.0, 2.0]


def test_the_poll_command_reports_each_device(equipment_a: Any) -> None:
    meter = DeviceFactory(equipment=equipment_a, port=free_port(), timeout=0.5)
    PointFactory(device=meter)
    out = StringIO()
    call_command("poll", "--cycles", "1", stdout=out)
    assert f"device {meter.pk}: 1 polls, 0 readings stored, 1 failed" in out.getvalue()
    assert Point.objects.get().last_value is None


def test_an_empty_mqtt_client_id_is_refused_before_anything_runs(settings: Any) -> None:
    settings.MAINTENIR_MQTT_URL = "mqtt://127.0.0.1:1883"
    with pytest.raises(CommandError, match="client id is empty"):
        call_command("ingest", "--client-id", " ", stdout=StringIO())


def test_a_librarys_unawaited_task_error_goes_to_debug_and_ours_stays_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def ours() -> None:
        raise RuntimeError("ours")

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        # asyncio's own coroutine stands for a library's: nobody listens on this port.
        tasks = [loop.create_task(ours()), loop.create_task(asyncio.open_connection("127.0.0.1", free_port()))]
        await asyncio.wait(tasks)
        for task in tasks:
            context = {"message": "Task exception was never retrieved", "exception": task.exception(), "future": task}
            quiet_library_tasks(loop, context)

    with caplog.at_level(logging.DEBUG):
        asyncio.run(scenario())
    levels = sorted(record.levelname for record in caplog.records if "never retrieved" in record.getMessage())
    assert levels == ["DEBUG", "ERROR"]
