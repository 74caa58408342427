"""The BACnet/IP driver against a real bacpypes3 device application on 127.0.0.1."""

import asyncio
import contextlib
import math
import socket
from typing import Any

import pytest
from bacpypes3.primitivedata import Null, Real
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from maintenir.devices import transfer
from maintenir.devices.acquisition import poll_all
from maintenir.devices.choices import ApplicationStatus, Protocol, Quality
from maintenir.devices.drivers.bacnet import MAX_INSTANCE, PRESENT_VALUE, BacnetDriver, parse_address, sample_of
from maintenir.devices.drivers.base import Connection, DeviceError, DeviceUnreachable, PointSpec, Sample
from maintenir.devices.models import Device, Point, Reading
from maintenir.devices.parameters import apply_parameter_set, revert_application
from maintenir.devices.tests.factories import DeviceFactory, ParameterSetFactory
from maintenir.devices.tests.peers import BacnetPeer, bacnet_peer, free_port, in_thread

SUPPLY = PointSpec(1, "analog-input,1", max_value=30)
SETPOINT = PointSpec(2, "analog-value,1", data_type="float32", write_priority=8)
FAN = PointSpec(3, "binary-output,1")


def run(scenario: Any, **options: Any) -> Any:
    async def main() -> Any:
        async with bacnet_peer() as peer:
            connection = Connection("127.0.0.1", peer.port, timeout=1, options={"instance": peer.instance, **options})
            async with BacnetDriver(connection) as driver:
                return await scenario(driver, peer)

    return asyncio.run(asyncio.wait_for(main(), 30))


def test_reads_points_in_one_request_and_writes_at_their_priority() -> None:
    async def scenario(driver: BacnetDriver, peer: BacnetPeer) -> Any:
        before = await driver.read([SUPPLY, SETPOINT, FAN])
        await driver.write(SETPOINT, 22.5)
        await driver.write(FAN, 0)
        after = await driver.read([SETPOINT, FAN])
        return before, after, peer.objects["setpoint"].priorityArray[7].real

    before, after, commanded = run(scenario)
    assert [(sample.value, sample.quality) for sample in before] == [
        (18.5, Quality.GOOD),
        (21.0, Quality.GOOD),
        (1.0, Quality.GOOD),
    ]
    assert [sample.value for sample in after] == [22.5, 0.0]
    assert commanded == 22.5


def test_relinquishing_gives_the_point_back_to_lower_priorities() -> None:
    async def scenario(driver: BacnetDriver, peer: BacnetPeer) -> Any:
        await driver.write(SETPOINT, 19.0)
        await driver.relinquish(SETPOINT)
        return await driver.read([SETPOINT])

    (sample,) = run(scenario)
    assert sample.value == 21.0


def test_an_unknown_object_is_named_and_the_others_still_read() -> None:
    async def scenario(driver: BacnetDriver, peer: BacnetPeer) -> Any:
        return await driver.read([SUPPLY, PointSpec(9, "analog-input,99")])

    good, bad = run(scenario)
    assert good.value == 18.5
    assert (bad.value, bad.quality) == (None, Quality.BAD)
    assert "analog-input,99" in bad.error
    assert "unknown-object" in bad.error


def test_a_device_without_read_property_multiple_is_read_one_property_at_a_time() -> None:
    async def scenario(driver: BacnetDriver, peer: BacnetPeer) -> Any:
        driver.read_multiple = False
        return await driver.read([SUPPLY, PointSpec(9, "analog-value,1,relinquish-default")])

    supply, default = run(scenario)
    assert (supply.value, default.value) == (18.5, 21.0)


def test_writing_an_unknown_object_is_a_device_error() -> None:
    async def scenario(driver: BacnetDriver, peer: BacnetPeer) -> None:
        await driver.write(PointSpec(9, "analog-value,99"), 25.0)

    with pytest.raises(DeviceError, match="unknown-object"):
        run(scenario)


def test_changes_arrive_by_cov_past_the_increment_and_the_subscription_is_renewed_then_cancelled() -> None:
    async def scenario(driver: BacnetDriver, peer: BacnetPeer) -> Any:
        received: list[float | None] = []

        async def sink(samples: list[Sample]) -> None:
            received.extend(sample.value for sample in samples)

        async def arrival(value: float) -> None:
            while value not in received:
                await asyncio.sleep(0.05)

        await driver.subscribe([SUPPLY], sink)
        await asyncio.wait_for(arrival(18.5), 3)
        peer.set("supply", 18.6)  # within the COV increment (0.2 °C): not notified
        peer.set("supply", 19.25)
        await asyncio.wait_for(arrival(19.25), 3)
        # The lifetime is 3 s: renewed two seconds before it ends, else it would have lapsed by now.
        await asyncio.sleep(3.5)
        await driver.read([])
        peer.set("supply", 20.0)
        await asyncio.wait_for(arrival(20.0), 3)
        await driver.close()
        return received, len(peer.app._cov_detections)

    received, left_on_device = run(scenario, cov_lifetime=3)
    assert 18.6 not in received
    assert left_on_device == 0


def test_a_point_the_device_refuses_to_subscribe_is_read_at_each_poll() -> None:
    async def scenario(driver: BacnetDriver, peer: BacnetPeer) -> Any:
        async def sink(samples: list[Sample]) -> None:
            pass

        await driver.subscribe([PointSpec(9, "analog-input,99")], sink)
        return await driver.read([SUPPLY])

    supply, refused = run(scenario)
    assert supply.value == 18.5
    assert (refused.point_id, refused.quality) == (9, Quality.BAD)


def test_a_device_that_stops_answering_loses_its_subscription_at_the_next_read() -> None:
    async def scenario() -> None:
        async with bacnet_peer() as peer:
            connection = Connection("127.0.0.1", peer.port, timeout=0.5, options={"cov_lifetime": 2})
            async with BacnetDriver(connection) as driver:

                async def sink(samples: list[Sample]) -> None:
                    pass

                await driver.subscribe([SUPPLY], sink)
                peer.app.close()
                await asyncio.sleep(2)
                await driver.read([])

    with pytest.raises(DeviceUnreachable, match="COV subscription lost"):
        asyncio.run(asyncio.wait_for(scenario(), 30))


def test_a_wrong_device_instance_is_a_device_error() -> None:
    async def scenario(driver: BacnetDriver, peer: BacnetPeer) -> None:
        pass

    with pytest.raises(DeviceError, match="device 1002"):
        run(scenario, instance=1002)


def test_no_device_is_unreachable() -> None:
    async def scenario() -> None:
        async with BacnetDriver(Connection("127.0.0.1", free_port(socket.SOCK_DGRAM), timeout=0.5)):
            pass

    with pytest.raises(DeviceUnreachable):
        asyncio.run(asyncio.wait_for(scenario(), 10))


def test_addresses_name_an_object_and_a_property() -> None:
    assert parse_address("analog-input,1").property == PRESENT_VALUE
    target = parse_address("analog-value, 3, priority-array[8]")
    assert (str(target.object), str(target.property), target.index) == ("analog-value,3", "priority-array", 8)
    assert not target.is_present_value
    assert parse_address("binary-output,2").is_real is False
    for wrong in ("analog-input", "analog-input,x", "no-such-type,1", "analog-input,1,no-such-property"):
        with pytest.raises(ValueError, match=r"BACnet|object-type"):
            parse_address(wrong)


@given(
    st.sampled_from(["analog-input", "analog-value", "binary-output", "multi-state-value", "device"]),
    st.integers(min_value=0, max_value=MAX_INSTANCE + 10),
)
def test_any_instance_parses_or_is_refused_clearly(object_type: str, instance: int) -> None:
    text = f"{object_type},{instance}"
    if instance > MAX_INSTANCE:
        with pytest.raises(ValueError, match="above"):
            parse_address(text)
    else:
        assert str(parse_address(text).object) == text


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        parse_address(text)


DECODED = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.floats(width=32).map(Real),
    st.text(max_size=20),
    st.binary(max_size=20),
    st.just(Null(())),
    st.lists(st.floats(), max_size=3),
)


@given(DECODED, st.floats(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False, allow_infinity=False))
def test_whatever_a_device_sends_gives_a_sample(raw: Any, scale: float, offset: float) -> None:
    point = PointSpec(1, "analog-value,1", scale=scale, offset=offset)
    sample = sample_of(point, raw, timezone.now())
    if sample.value is None:
        assert sample.quality == Quality.BAD
        assert sample.error.startswith("analog-value,1: ")
    else:
        assert math.isfinite(sample.value)
        assert sample.error == ""


# --- BACnet devices in Maintenir: point lists, polling, subscriptions, parameter sets --------------

BACNET_POINTS = """name,address,unit,writable,write_priority,subscribed,brick_class
supply_temperature,"analog-input,1",°C,0,16,1,Supply_Air_Temperature_Sensor
supply_setpoint,"analog-value,1",°C,1,8,0,Supply_Air_Temperature_Setpoint
fan_command,"binary-output,1",,1,8,0,Fan_Command
"""


@pytest.fixture
def ahu(equipment_a: Any) -> Device:
    return DeviceFactory(
        equipment=equipment_a, name="CTA", protocol=Protocol.BACNET_IP, options={"instance": 1001}, timeout=1
    )


@pytest.mark.django_db
def test_a_bacnet_point_list_is_imported_and_bad_addresses_named(technician: Any, ahu: Device) -> None:
    assert transfer.import_points(technician, ahu, BACNET_POINTS).created == 3
    assert Point.objects.get(name="supply_temperature").subscribed
    bad = BACNET_POINTS.replace('"analog-value,1"', '"analog-value"').replace(
        '"binary-output,1",,1,8,0', '"binary-output,1,out-of-service",,1,8,1'
    )
    with pytest.raises(ValidationError) as error:
        transfer.import_points(technician, ahu, bad)
    assert set(error.value.message_dict) == {"line 3, column address", "line 4, column subscribed"}


@pytest.mark.django_db
@pytest.mark.parametrize("instance", [-1, MAX_INSTANCE + 1, "1001", True])
def test_a_bacnet_device_instance_is_a_whole_number_in_range(ahu: Device, instance: Any) -> None:
    ahu.options = {"instance": instance}
    with pytest.raises(ValidationError) as error:
        ahu.full_clean()
    assert set(error.value.message_dict) == {"options"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_acquisition_service_polls_some_points_and_receives_the_others_by_cov(technician: Any, ahu: Device) -> None:
    transfer.import_points(technician, ahu, BACNET_POINTS)

    async def scenario() -> Any:
        async with bacnet_peer() as peer:
            await Device.objects.filter(pk=ahu.pk).aupdate(port=peer.port)
            stop = asyncio.Event()
            polling = asyncio.create_task(poll_all(stop))
            while not await Reading.objects.filter(point__name="fan_command").aexists():
                await asyncio.sleep(0.05)
            peer.set("supply", 20.0)
            while not await Reading.objects.filter(point__name="supply_temperature", value=20.0).aexists():
                await asyncio.sleep(0.05)
            stop.set()
            return await polling

    stats = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert stats[ahu.pk].failures == 0
    values = dict(Point.objects.values_list("name", "last_value"))
    assert values == {"supply_temperature": 20.0, "supply_setpoint": 21.0, "fan_command": 1.0}
    supply = list(Reading.objects.filter(point__name="supply_temperature").order_by("time").values_list("value"))
    assert supply == [(18.5,), (20.0,)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_parameter_set_is_applied_at_the_points_priority_and_reverted(
    technician: Any, ahu: Device, at_work: Any
) -> None:
    at_work(technician, ahu.equipment)
    transfer.import_points(technician, ahu, BACNET_POINTS)
    parameter_set = ParameterSetFactory(name="Mode été")
    parameter_set.entries.create(point_name="supply_setpoint", value=17.5)
    parameter_set.entries.create(point_name="fan_command", value=0)
    with in_thread(bacnet_peer()) as peer:
        Device.objects.filter(pk=ahu.pk).update(port=peer.port)
        ahu.refresh_from_db()
        (application,) = apply_parameter_set(technician, parameter_set, [ahu])
        applied = (application.status, application.error)
        commanded = peer.objects["setpoint"].priorityArray[7].real
        revert_application(technician, application)
        reverted = (peer.objects["setpoint"].presentValue, int(peer.objects["fan"].presentValue))
        # Reverting relinquished the command: the priority slot is empty again.
        slot_after_revert = peer.objects["setpoint"].priorityArray[7].real
    assert applied == (ApplicationStatus.APPLIED, "")
    assert application.status == ApplicationStatus.REVERTED
    writes = {write.point.name: (write.old_value, write.read_back) for write in application.writes.all()}
    assert writes == {"supply_setpoint": (21.0, 17.5), "fan_command": (1.0, 0.0)}
    assert commanded == 17.5
    assert reverted == (21.0, 1)
    assert slot_after_revert is None
