"""The KNX/IP driver against a second xknx instance routing on a private multicast port of 127.0.0.1."""

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from xknx.dpt import DPTArray, DPTBinary

from maintenir.core.tests.clients import client_for
from maintenir.devices import parameters
from maintenir.devices.acquisition import poll_device
from maintenir.devices.choices import ApplicationStatus, Protocol, Quality
from maintenir.devices.drivers.base import Connection, DeviceError, DeviceUnreachable, PointSpec, Sample
from maintenir.devices.drivers.knx import KnxDriver, decode, group_address
from maintenir.devices.models import Device, ParameterEntry, Point, Reading
from maintenir.devices.tests.factories import DeviceFactory, ParameterSetFactory, PointFactory
from maintenir.devices.tests.knx_peer import (
    GROUP,
    PERCENT,
    SETPOINT,
    SILENT,
    SWITCH,
    SWITCH_STATUS,
    TEMPERATURE,
    KnxPeer,
    free_udp_port,
    knx_peer,
)
from maintenir.devices.tests.peers import in_thread

temperature = PointSpec(1, TEMPERATURE, dpt="9.001", max_value=30)
setpoint = PointSpec(2, SETPOINT, dpt="9.001")
switch = PointSpec(3, SWITCH, dpt="1.001")
switch_status = PointSpec(4, SWITCH_STATUS, dpt="1.001")
valve = PointSpec(5, PERCENT, dpt="5.001", scale=0.01)


def run(scenario: Callable[[KnxDriver, KnxPeer], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with knx_peer() as peer, KnxDriver(peer.connection) as driver:
            return await scenario(driver, peer)

    return asyncio.run(asyncio.wait_for(main(), 30))


def test_reads_points_with_their_datapoint_types() -> None:
    async def scenario(driver: KnxDriver, peer: KnxPeer) -> list[Sample]:
        return await driver.read([temperature, switch_status, valve])

    samples = run(scenario)
    assert [(sample.value, sample.quality) for sample in samples] == [
        (21.5, Quality.GOOD),
        (0.0, Quality.GOOD),
        (0.4, Quality.GOOD),
    ]


def test_a_group_address_nobody_answers_is_named_and_the_others_still_read() -> None:
    async def scenario(driver: KnxDriver, peer: KnxPeer) -> list[Sample]:
        return await driver.read([temperature, PointSpec(9, SILENT, dpt="9.001")])

    good, bad = run(scenario)
    assert (good.value, good.quality) == (21.5, Quality.GOOD)
    assert (bad.value, bad.quality) == (None, Quality.BAD)
    assert SILENT in bad.error


def test_writes_reach_the_peer_decoded_and_read_back() -> None:
    async def scenario(driver: KnxDriver, peer: KnxPeer) -> tuple[list[Any], list[Sample]]:
        await driver.write(switch, 1)
        await driver.write(setpoint, 22.5)
        return await peer.written(2), await driver.read([switch_status, setpoint])

    writes, read_back = run(scenario)
    assert writes == [(SWITCH, True), (SETPOINT, 22.5)]
    assert [sample.value for sample in read_back] == [1.0, 22.5]


@pytest.mark.parametrize(
    ("point", "value"),
    [(valve, 1.5), (switch, 0.5), (setpoint, 1e9), (setpoint, float("nan")), (PointSpec(6, "1/2/3", dpt="16.000"), 1)],
)
def test_a_value_the_datapoint_type_cannot_hold_is_refused(point: PointSpec, value: float) -> None:
    async def scenario(driver: KnxDriver, peer: KnxPeer) -> list[Any]:
        with pytest.raises(DeviceError, match=point.address):
            await driver.write(point, value)
        # Telegrams arrive in order: when this one is there, a refused one would have been before it.
        await driver.write(switch, 1)
        return await peer.written(1)

    assert run(scenario) == [(SWITCH, True)]


def test_telegrams_on_subscribed_addresses_reach_the_sink() -> None:
    received: list[Sample] = []

    async def sink(samples: list[Sample]) -> None:
        received.extend(samples)

    async def scenario(driver: KnxDriver, peer: KnxPeer) -> None:
        await driver.subscribe([temperature, valve], sink)
        # The devices send their new values; the setpoint is not subscribed.
        await peer.exposed[SETPOINT].set(18.0)
        await peer.exposed[TEMPERATURE].set(23.0)
        await peer.exposed[PERCENT].set(55)
        async with asyncio.timeout(5):
            while len(received) < 2:
                await asyncio.sleep(0.01)

    run(scenario)
    assert [(sample.point_id, sample.value, sample.quality) for sample in received] == [
        (1, 23.0, Quality.GOOD),
        (5, pytest.approx(0.55), Quality.GOOD),
    ]


def test_a_lost_connection_is_unreachable() -> None:
    async def scenario(driver: KnxDriver, peer: KnxPeer) -> None:
        assert driver.xknx is not None
        await driver.xknx.knxip_interface.stop()
        await driver.read([temperature])

    with pytest.raises(DeviceUnreachable, match="not connected"):
        run(scenario)


@pytest.mark.parametrize(
    "options",
    [
        {"connection": "tunnelling"},
        # An address of no local interface: the multicast socket cannot be opened.
        {"connection": "routing", "local_ip": "192.0.2.254"},
    ],
)
def test_no_gateway_or_no_interface_is_unreachable(options: dict[str, Any]) -> None:
    async def scenario() -> None:
        host = GROUP if options["connection"] == "routing" else "127.0.0.1"
        async with KnxDriver(Connection(host, free_udp_port(), timeout=1, options=options)):
            pass

    with pytest.raises(DeviceUnreachable):
        asyncio.run(asyncio.wait_for(scenario(), 10))


def test_an_unknown_connection_type_is_named() -> None:
    with pytest.raises(DeviceError, match="'usb'"):
        asyncio.run(KnxDriver(Connection(GROUP, 3671, options={"connection": "usb"})).connect())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_acquisition_service_stores_polled_and_subscribed_readings(equipment_a: Any) -> None:
    async def until(found: Callable[[], Awaitable[bool]]) -> None:
        async with asyncio.timeout(5):
            while not await found():
                await asyncio.sleep(0.05)

    async def scenario() -> Any:
        async with knx_peer() as peer:
            await Device.objects.filter(pk=device.pk).aupdate(port=peer.port)
            stop = asyncio.Event()
            polling = asyncio.create_task(poll_device(await Device.objects.aget(pk=device.pk), stop))
            await until(Reading.objects.filter(point=room).aexists)
            # Someone turns the setpoint down at the room's thermostat.
            await peer.exposed[SETPOINT].set(19.5)
            await until(Reading.objects.filter(point=thermostat).aexists)
            stop.set()
            return await polling

    device = DeviceFactory(
        equipment=equipment_a, protocol=Protocol.KNX_IP, host=GROUP, timeout=1, options={"connection": "routing"}
    )
    room = PointFactory(device=device, name="room", address=TEMPERATURE, dpt="9.001")
    thermostat = PointFactory(device=device, name="setpoint", address=SETPOINT, dpt="9.001", subscribed=True)
    stats = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert (stats.samples, stats.failures) == (2, 0)
    room.refresh_from_db()
    thermostat.refresh_from_db()
    assert (room.last_value, room.last_quality) == (21.5, Quality.GOOD)
    assert (thermostat.last_value, thermostat.last_quality) == (19.5, Quality.GOOD)


@pytest.mark.django_db
def test_a_parameter_set_is_applied_verified_and_reverted(technician: Any, equipment_a: Any, at_work: Any) -> None:
    at_work(technician, equipment_a)
    winter = ParameterSetFactory()
    ParameterEntry.objects.create(parameter_set=winter, point_name="setpoint", value=21.5)
    ParameterEntry.objects.create(parameter_set=winter, point_name="valve", value=60)
    with in_thread(knx_peer()) as peer:
        device = DeviceFactory(equipment=equipment_a, protocol=Protocol.KNX_IP, host=GROUP, port=peer.port, timeout=1)
        PointFactory(device=device, name="setpoint", address=SETPOINT, dpt="9.001", writable=True)
        PointFactory(device=device, name="valve", address=PERCENT, dpt="5.001", writable=True)
        (application,) = parameters.apply_parameter_set(technician, winter, [device])
        assert application.status == ApplicationStatus.APPLIED, application.error
        assert {write.point.name: (write.old_value, write.read_back) for write in application.writes.all()} == {
            "setpoint": (20.0, 21.5),
            "valve": (40, 60),
        }
        parameters.revert_application(technician, application)
        assert peer.writes[-2:] == [(PERCENT, 40), (SETPOINT, 20.0)]


def knx_point(address: str, dpt: str = "9.001") -> Point:
    return Point(device=Device(pk=1, protocol=Protocol.KNX_IP), name="room", address=address, dpt=dpt)


def test_a_point_needs_a_group_address_and_a_datapoint_type() -> None:
    knx_point("1/2/3").clean()
    knx_point("1/200", "1.001").clean()
    knx_point("2563", "5.001").clean()
    for address in ["1/8/1", "32/0/1", "0/0/0", "1.2.3", "i-internal", ""]:
        with pytest.raises(ValidationError) as refused:
            knx_point(address).clean()
        assert set(refused.value.message_dict) == {"address"}, address
    for dpt in ["", "99.999", "16.000", "temperatur"]:
        with pytest.raises(ValidationError) as refused:
            knx_point("1/2/3", dpt).clean()
        assert set(refused.value.message_dict) == {"dpt"}, dpt


@given(st.integers(0, 31), st.integers(0, 7), st.integers(0, 255))
def test_every_three_level_group_address_round_trips(main: int, middle: int, sub: int) -> None:
    text = f"{main}/{middle}/{sub}"
    if text == "0/0/0":
        return
    address = group_address(text)
    assert (str(address), address.raw) == (text, main << 11 | middle << 8 | sub)
    knx_point(text).clean()


@given(st.text() | st.from_regex(r"\d{1,3}(/\d{1,4}){0,3}", fullmatch=True))
def test_garbage_is_refused_with_a_field_error(text: str) -> None:
    try:
        group_address(text)
    except ValueError:
        with pytest.raises(ValidationError) as refused:
            knx_point(text).clean()
        assert set(refused.value.message_dict) == {"address"}
    else:
        knx_point(text).clean()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("host", "options", "field", "message"),
    [
        (GROUP, {"connection": "usb"}, "options", "KNX connection: connection 'usb': choose one of routing"),
        ("192.0.2.10", {"connection": "routing"}, "host", "'192.0.2.10': routing needs a multicast group address"),
        ("knx.example", {}, "host", "routing needs a multicast group address"),
        (GROUP, {"local_ip": "eth0"}, "options", "local_ip 'eth0' is not an IP address"),
        (GROUP, {"individual_address": "1.1.300"}, "options", "individual_address '1.1.300': Device part out of range"),
        ("192.0.2.10", {"connection": "tunnelling", "local_ip": "no"}, "options", "local_ip 'no'"),
        (GROUP, ["routing"], "options", "The options are a JSON object"),
    ],
)
def test_knx_connection_settings_are_checked_on_save_naming_the_field(
    equipment_a: Any, host: str, options: Any, field: str, message: str
) -> None:
    device = DeviceFactory.build(equipment=equipment_a, protocol=Protocol.KNX_IP, host=host, options=options)
    with pytest.raises(ValidationError) as refused:
        device.full_clean()
    assert list(refused.value.message_dict) == [field]
    assert message in refused.value.message_dict[field][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("host", "options"),
    [
        (GROUP, {}),
        (GROUP, {"connection": "routing", "local_ip": "127.0.0.1", "individual_address": "1.1.250"}),
        ("192.0.2.10", {"connection": "tunnelling"}),
        ("knx-gateway.example", {"connection": "tunnelling_tcp", "local_ip": "192.0.2.1"}),
    ],
)
def test_good_knx_connection_settings_are_accepted(equipment_a: Any, host: str, options: dict[str, Any]) -> None:
    DeviceFactory.build(equipment=equipment_a, protocol=Protocol.KNX_IP, host=host, options=options).full_clean()


@pytest.mark.django_db
def test_the_device_form_names_a_bad_knx_setting(technician: Any, equipment_a: Any) -> None:
    data = {
        "equipment": equipment_a.pk,
        "name": "Passerelle KNX",
        "protocol": "knx_ip",
        "host": GROUP,
        "options": '{"connection": "routing", "individual_address": "16.1.1"}',
        "poll_interval": 30,
        "timeout": 3,
        "grace_period": 300,
        "unit_id": 1,
    }
    response = client_for(technician).post(reverse("device-add"), data)
    assert "individual_address '16.1.1'" in response.context["form"].errors["options"][0]
    assert not Device.objects.exists()
    response = client_for(technician).post(reverse("device-add"), data | {"options": '{"connection": "routing"}'})
    assert response["Location"] == Device.objects.get().get_absolute_url()


@given(
    st.sampled_from(["1.001", "5.001", "5.010", "6.010", "7.001", "8.001", "9.001", "12.001", "13.001", "14.056"]),
    st.one_of(
        st.integers(min_value=0, max_value=63).map(DPTBinary),
        st.binary(max_size=14).map(DPTArray),
    ),
)
def test_whatever_a_telegram_carries_decodes_to_a_sample(dpt: str, payload: DPTArray | DPTBinary) -> None:
    sample = decode(PointSpec(1, "1/2/3", dpt=dpt, max_value=100), payload, timezone.now())
    if sample.value is None:
        assert sample.quality == Quality.BAD
        assert sample.error.startswith("1/2/3: ")
    else:
        assert math.isfinite(sample.value)
        assert sample.quality in {Quality.GOOD, Quality.OUT_OF_RANGE}
