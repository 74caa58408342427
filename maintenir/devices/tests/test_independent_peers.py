"""The drivers against implementations written by others: pyModbusTCP, open62541 (o6), knxd with a
knxdclient device. What these peers accept or send, and our own peers do not, is tested here."""

import asyncio
import math
import struct
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from knxdclient import KNXDPT, decode_value, encode_value

from maintenir.devices.acquisition import poll_all
from maintenir.devices.choices import ApplicationStatus, DeviceStatus, Protocol, Quality
from maintenir.devices.drivers.base import (
    DeviceError,
    DeviceUnreachable,
    Driver,
    PointSpec,
    Sample,
    ValueRefused,
)
from maintenir.devices.drivers.knx import KnxDriver
from maintenir.devices.drivers.modbus import ModbusDriver
from maintenir.devices.drivers.opcua import OpcUaDriver
from maintenir.devices.parameters import revert_application
from maintenir.devices.tests.factories import DeviceFactory, PointFactory, apply_values
from maintenir.devices.tests.independent_peers import (
    KNXD_SETPOINT,
    KNXD_SWITCH,
    KNXD_TEMPERATURE,
    KNXD_VALVE,
    KNXD_WRONG_SIZE,
    O6_NODES,
    KnxdPeer,
    O6Peer,
    PyModbusTcpPeer,
)
from maintenir.workorders.models import WorkRequest


def run(driver: Driver, scenario: Callable[[Any], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with driver:
            return await scenario(driver)

    return asyncio.run(asyncio.wait_for(main(), 20))


def values(samples: list[Sample]) -> dict[int, float | None]:
    return {sample.point_id: sample.value for sample in samples}


# --- Modbus TCP against pyModbusTCP ------------------------------------------------------------------


def float32(value: float) -> list[int]:
    return list(struct.unpack(">HH", struct.pack(">f", value)))


def test_modbus_reads_and_writes_back_on_pymodbustcp(pymodbustcp_peer: PyModbusTcpPeer) -> None:
    peer = pymodbustcp_peer
    peer.set_holding(0, [*float32(123.456), 0xFF38, 0x0001, 0x86A0])
    power = PointSpec(1, "0", "holding", "float32")
    temperature = PointSpec(2, "2", "holding", "int16", scale=0.1)
    energy = PointSpec(3, "3", "holding", "uint32")
    setpoint = PointSpec(4, "20", "holding", "float32")
    speed = PointSpec(5, "22", "holding", "int16", scale=0.1)
    coil = PointSpec(6, "3", "coil", "bool")

    async def scenario(driver: ModbusDriver) -> Any:
        before = await driver.read([power, temperature, energy])
        await driver.write(setpoint, 21.5)
        await driver.write(speed, -12.3)
        await driver.write(coil, 1)
        return before, await driver.read([setpoint, speed, coil])

    before, after = run(ModbusDriver(peer.connection()), scenario)
    # A float32 keeps the 7 digits it carries, not its binary rounding (123.45600128173828).
    assert values(before) == {1: 123.456, 2: pytest.approx(-20.0), 3: 100_000}
    assert values(after) == {4: 21.5, 5: pytest.approx(-12.3), 6: 1.0}
    assert {sample.quality for sample in before + after} == {Quality.GOOD}
    # What the other implementation holds, decoded on its side.
    assert peer.holding(20, 3) == [*float32(21.5), 0xFF85]


@pytest.mark.parametrize(
    ("point", "value", "message"),
    [
        (PointSpec(1, "40", "holding", "int16"), 50_000, r"50000 is outside int16 \(-32768…32767\) after scaling"),
        (PointSpec(1, "40", "holding", "int16", scale=0.1), 3_300, r"3300 is outside int16 .* after scaling"),
        (PointSpec(1, "40", "holding", "uint16"), -1, "outside uint16"),
        (PointSpec(1, "40", "holding", "float32"), 1e39, "outside float32"),
        (PointSpec(1, "40", "holding", "float32"), math.nan, "nan is not a number"),
        (PointSpec(1, "40", "holding", "float64"), math.inf, "inf is not a number"),
        (PointSpec(1, "40", "coil", "bool"), 2, "a coil is 0 or 1"),
    ],
)
def test_modbus_refuses_a_value_its_register_cannot_hold_before_writing(
    pymodbustcp_peer: PyModbusTcpPeer, point: PointSpec, value: float, message: str
) -> None:
    peer = pymodbustcp_peer
    peer.set_holding(40, [7, 7, 7, 7])

    async def scenario(driver: ModbusDriver) -> None:
        with pytest.raises(ValueRefused, match=message) as refused:
            await driver.write(point, value)
        assert point.address in str(refused.value)

    run(ModbusDriver(peer.connection()), scenario)
    assert peer.holding(40, 4) == [7, 7, 7, 7]


def test_a_unit_the_gateway_does_not_know_makes_the_device_unreachable(pymodbustcp_peer: PyModbusTcpPeer) -> None:
    async def read(driver: ModbusDriver) -> None:
        await driver.read([PointSpec(1, "0", "holding", "uint16")])

    async def write(driver: ModbusDriver) -> None:
        await driver.write(PointSpec(1, "0", "holding", "uint16"), 1)

    for scenario in (read, write):
        with pytest.raises(DeviceUnreachable, match=r"unit 7: gateway target did not respond \(Modbus exception 11\)"):
            run(ModbusDriver(pymodbustcp_peer.connection(unit_id=7)), scenario)


def test_an_address_the_device_does_not_have_is_that_points_bad_sample(pymodbustcp_peer: PyModbusTcpPeer) -> None:
    async def scenario(driver: ModbusDriver) -> list[Sample]:
        return await driver.read([PointSpec(1, "0", "holding", "uint16"), PointSpec(2, "199", "input", "float32")])

    good, bad = run(ModbusDriver(pymodbustcp_peer.connection()), scenario)
    assert good.quality == Quality.GOOD
    assert (bad.value, bad.quality, bad.error) == (None, Quality.BAD, "illegal data address (Modbus exception 2)")


# --- OPC UA against open62541 (o6) ------------------------------------------------------------------


def test_opcua_reads_and_writes_back_on_open62541(o6_peer: O6Peer) -> None:
    nodes = o6_peer.nodes
    temperature = PointSpec(1, nodes["temperature"])
    setpoint = PointSpec(2, nodes["setpoint"])
    flow = PointSpec(3, nodes["flow"])
    speed = PointSpec(4, nodes["speed"], scale=0.5)
    status = PointSpec(5, nodes["status"])
    unknown = PointSpec(6, "ns=1;s=AHU1.NoSuchNode")

    async def scenario(driver: OpcUaDriver) -> Any:
        before = await driver.read([temperature, setpoint, flow, speed, status, unknown])
        await driver.write(setpoint, 22.5)
        await driver.write(flow, 98.7)
        await driver.write(speed, 700)
        return before, await driver.read([setpoint, flow, speed])

    before, after = run(OpcUaDriver(o6_peer.connection), scenario)
    assert values(before) == {1: 18.5, 2: 21.0, 3: 123.456, 4: 600.0, 5: None, 6: None}
    assert before[4].error == "ns=1;s=AHU1.Status: 'running' is not a number"
    assert before[5].error == "ns=1;s=AHU1.NoSuchNode: the server answers BadNodeIdUnknown"
    assert values(after) == {2: 22.5, 3: 98.7, 4: 700.0}
    # Written with the node's own type: the Int16 node still holds an Int16.
    assert o6_peer.value("speed") == 1400
    assert str(o6_peer.value("speed").dtype) == "int16"


def test_opcua_refusals_on_open62541_name_the_node_and_the_reason(o6_peer: O6Peer) -> None:
    nodes = o6_peer.nodes
    # The peer is shared by the module, whose tests may run in any order on any worker: compare with what it
    # held before, not with what another test wrote.
    before = (o6_peer.value("temperature"), o6_peer.value("speed"))

    async def scenario(driver: OpcUaDriver) -> None:
        with pytest.raises(DeviceError, match=r"SupplyTemp: the server refuses the value \(BadUserAccessDenied|Bad"):
            await driver.write(PointSpec(1, nodes["temperature"]), 25.0)
        with pytest.raises(ValueRefused, match=r"FanSpeed: 40000 is outside Int16 \(-32768…32767\)"):
            await driver.write(PointSpec(2, nodes["speed"]), 40_000)
        with pytest.raises(ValueRefused, match="nan is not a number"):
            await driver.write(PointSpec(3, nodes["setpoint"]), math.nan)

    run(OpcUaDriver(o6_peer.connection), scenario)
    assert (o6_peer.value("temperature"), o6_peer.value("speed")) == before


def test_opcua_subscription_on_open62541(o6_peer: O6Peer) -> None:
    received: list[Sample] = []

    async def sink(samples: list[Sample]) -> None:
        received.extend(samples)

    async def scenario(driver: OpcUaDriver) -> None:
        await driver.subscribe([PointSpec(7, o6_peer.nodes["setpoint"])], sink)
        async with asyncio.timeout(5):
            while not received:
                await asyncio.sleep(0.02)
            await asyncio.to_thread(o6_peer.set, "setpoint", 19.25)
            while received[-1].value != 19.25:
                await asyncio.sleep(0.02)

    run(OpcUaDriver(o6_peer.connection), scenario)
    assert {sample.quality for sample in received} == {Quality.GOOD}


# --- KNX/IP against knxd (tunnelling), a device on knxdclient ------------------------------------------


def test_knx_reads_and_writes_back_through_knxd(knxd_peer: KnxdPeer) -> None:
    temperature = PointSpec(1, KNXD_TEMPERATURE, dpt="9.001")
    setpoint = PointSpec(2, KNXD_SETPOINT, dpt="9.001")
    switch = PointSpec(3, KNXD_SWITCH, dpt="1.001")
    valve = PointSpec(4, KNXD_VALVE, dpt="5.001")

    async def scenario(driver: KnxDriver) -> Any:
        before = await driver.read([temperature, setpoint, switch, valve])
        await driver.write(setpoint, 22.5)
        await driver.write(switch, 1)
        return before, await driver.read([setpoint, switch])

    before, after = run(KnxDriver(knxd_peer.connection), scenario)
    assert values(before) == {1: 21.5, 2: 20.0, 3: 0.0, 4: 40.0}
    assert values(after) == {2: 22.5, 3: 1.0}
    # Decoded by the other implementation.
    writes = dict(knxd_peer.written(2))
    assert decode_value(writes[KNXD_SETPOINT], KNXDPT.FLOAT16) == 22.5
    assert decode_value(writes[KNXD_SWITCH], KNXDPT.BOOLEAN) is True


def test_knx_a_telegram_not_of_the_points_datapoint_type_is_a_bad_sample(knxd_peer: KnxdPeer) -> None:
    """A 9.001 point on an object that sends 1 bit: read and subscription both give a bad sample saying
    why, and the connection goes on."""
    wrong = PointSpec(1, KNXD_WRONG_SIZE, dpt="9.001")
    temperature = PointSpec(2, KNXD_TEMPERATURE, dpt="9.001")
    received: list[Sample] = []

    async def sink(samples: list[Sample]) -> None:
        received.extend(samples)

    async def scenario(driver: KnxDriver) -> list[Sample]:
        read = await driver.read([wrong, temperature])
        await driver.subscribe([wrong], sink)
        await asyncio.to_thread(knxd_peer.send, KNXD_WRONG_SIZE, encode_value(False, KNXDPT.BOOLEAN))
        await asyncio.to_thread(knxd_peer.send, KNXD_WRONG_SIZE, encode_value(19.5, KNXDPT.FLOAT16))
        async with asyncio.timeout(5):
            while len(received) < 2:
                await asyncio.sleep(0.02)
        return read

    bad, good = run(KnxDriver(knxd_peer.connection), scenario)
    assert (bad.value, bad.quality) == (None, Quality.BAD)
    assert bad.error.startswith(f"{KNXD_WRONG_SIZE}: the telegram's value ")
    assert "is not a 9.001 value" in bad.error
    assert (good.value, good.quality) == (21.5, Quality.GOOD)
    assert [(sample.value, sample.quality) for sample in received] == [(None, Quality.BAD), (19.5, Quality.GOOD)]


def test_knx_a_value_the_datapoint_type_cannot_hold_is_refused_naming_the_point(knxd_peer: KnxdPeer) -> None:
    async def scenario(driver: KnxDriver) -> None:
        with pytest.raises(ValueRefused, match=rf"{KNXD_VALVE} \(5.001\) cannot hold 150"):
            await driver.write(PointSpec(4, KNXD_VALVE, dpt="5.001"), 150)

    run(KnxDriver(knxd_peer.connection), scenario)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_poll_marks_a_unit_behind_a_gateway_unreachable_and_raises_the_request(
    pymodbustcp_peer: PyModbusTcpPeer, equipment_a: Any
) -> None:
    known, unknown = (
        DeviceFactory(
            equipment=equipment_a, port=pymodbustcp_peer.port, unit_id=unit, poll_interval=1, timeout=1, grace_period=0
        )
        for unit in (1, 7)
    )
    for device in (known, unknown):
        PointFactory(device=device, name="r0", address="0", data_type="uint16")

    stats = asyncio.run(asyncio.wait_for(poll_all(asyncio.Event(), cycles=2), 30))

    assert (stats[known.pk].failures, stats[unknown.pk].failures) == (0, 2)
    known.refresh_from_db()
    unknown.refresh_from_db()
    assert known.status == DeviceStatus.ONLINE
    assert unknown.status == DeviceStatus.UNREACHABLE
    assert "gateway target did not respond (Modbus exception 11)" in unknown.last_error
    (request,) = WorkRequest.objects.filter(equipment=equipment_a)
    assert unknown.name in request.symptom


# --- Parameter sets applied, undone and reverted on the independent peers --------------------------


def controller(equipment: Any, protocol: str, connection: Any, points: dict[str, dict[str, Any]]) -> Any:
    device = DeviceFactory(
        equipment=equipment,
        protocol=protocol,
        host=connection.host,
        port=connection.port,
        options=connection.options,
        timeout=connection.timeout,
    )
    for name, fields in points.items():
        PointFactory(device=device, name=name, writable=True, **{"register_type": "", "data_type": "", **fields})
    return device


@pytest.mark.django_db
def test_a_set_is_applied_undone_and_reverted_on_pymodbustcp(
    pymodbustcp_peer: PyModbusTcpPeer, manager: Any, equipment_a: Any
) -> None:
    peer = pymodbustcp_peer
    peer.set_holding(60, [*float32(19.5), 250])
    device = controller(
        equipment_a,
        Protocol.MODBUS_TCP,
        peer.connection(),
        {
            "a_setpoint": {"address": "60", "register_type": "holding", "data_type": "float32"},
            "b_speed": {"address": "62", "register_type": "holding", "data_type": "int16", "scale": 0.1},
        },
    )

    # 5 000 does not fit the int16 register (after its 0.1 scale): the setpoint written first is put back.
    failed = apply_values(manager, device, a_setpoint=21.5, b_speed=5_000)
    assert failed.status == ApplicationStatus.FAILED
    assert failed.error.startswith("b_speed: ")
    assert "outside int16" in failed.error
    assert peer.holding(60, 3) == [*float32(19.5), 250]

    applied = apply_values(manager, device, a_setpoint=21.5, b_speed=30)
    assert (applied.status, applied.error) == (ApplicationStatus.APPLIED, "")
    assert peer.holding(60, 3) == [*float32(21.5), 300]
    revert_application(manager, applied)
    assert peer.holding(60, 3) == [*float32(19.5), 250]


@pytest.mark.django_db
def test_a_set_is_applied_and_reverted_on_open62541(o6_peer: O6Peer, manager: Any, equipment_a: Any) -> None:
    o6_peer.set("setpoint", 21.0)
    device = controller(
        equipment_a,
        Protocol.OPC_UA,
        o6_peer.connection,
        {"setpoint": {"address": O6_NODES["setpoint"]}, "speed": {"address": O6_NODES["speed"]}},
    )
    before = (o6_peer.value("setpoint"), o6_peer.value("speed"))

    applied = apply_values(manager, device, setpoint=17.5, speed=900)
    assert (applied.status, applied.error) == (ApplicationStatus.APPLIED, "")
    assert (o6_peer.value("setpoint"), o6_peer.value("speed")) == (17.5, 900)
    revert_application(manager, applied)
    assert (o6_peer.value("setpoint"), o6_peer.value("speed")) == before


@pytest.mark.django_db
def test_a_set_is_applied_and_reverted_through_knxd(knxd_peer: KnxdPeer, manager: Any, equipment_a: Any) -> None:
    device = controller(
        equipment_a, Protocol.KNX_IP, knxd_peer.connection, {"setpoint": {"address": KNXD_SETPOINT, "dpt": "9.001"}}
    )

    async def setpoint_now(driver: KnxDriver) -> list[Sample]:
        return await driver.read([PointSpec(1, KNXD_SETPOINT, dpt="9.001")])

    (before,) = run(KnxDriver(knxd_peer.connection), setpoint_now)
    applied = apply_values(manager, device, setpoint=23.0)
    assert (applied.status, applied.error) == (ApplicationStatus.APPLIED, "")
    revert_application(manager, applied)
    (after,) = run(KnxDriver(knxd_peer.connection), setpoint_now)
    assert after.value == before.value
