"""The Modbus TCP driver against a real pymodbus server on 127.0.0.1."""

import asyncio
import math
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from maintenir.devices.choices import Quality
from maintenir.devices.drivers.base import Connection, DeviceError, DeviceUnreachable, PointSpec
from maintenir.devices.drivers.modbus import MAX_REGISTERS, ModbusDriver, decode, plan_requests
from maintenir.devices.tests.peers import ModbusPeer, modbus_peer

READ_HOLDING = 3
READ_INPUT = 4


def run(scenario: Callable[[ModbusPeer, ModbusDriver], Awaitable[Any]], unit_id: int = 1, **registers: Any) -> Any:
    async def main() -> Any:
        async with modbus_peer(**registers) as peer:
            connection = Connection("127.0.0.1", peer.port, unit_id=unit_id, timeout=2)
            async with ModbusDriver(connection) as driver:
                return await scenario(peer, driver)

    return asyncio.run(main())


def float32(value: float) -> list[int]:
    high, low = struct.unpack(">HH", struct.pack(">f", value))
    return [high, low]


def point(point_id: int, address: int, data_type: str, table: str = "holding", **fields: Any) -> PointSpec:
    return PointSpec(point_id, str(address), table, data_type, **fields)


def test_reads_typed_scaled_values_in_one_request_per_table() -> None:
    points = [
        point(1, 0, "float32"),  # active power, kW
        point(2, 2, "uint32", word_order="little"),  # energy counter, low word first
        point(3, 4, "int16", scale=0.1),  # temperature in tenths of °C
        point(4, 10, "uint16", "input", scale=0.01),  # input register, power factor
    ]

    async def scenario(peer: ModbusPeer, driver: ModbusDriver) -> Any:
        return await driver.read(points), list(peer.requests)

    holding = dict(enumerate([*float32(12.5), 0x5678, 0x0012, 0xFF38]))  # 0xFF38 = -200
    samples, requests = run(scenario, holding=holding, inputs={10: 98})
    values = {sample.point_id: sample.value for sample in samples}
    assert values[1] == 12.5
    assert values[2] == 0x00125678
    assert values[3] == pytest.approx(-20.0)
    assert values[4] == pytest.approx(0.98)
    assert {sample.quality for sample in samples} == {Quality.GOOD}
    assert sorted(requests) == [READ_HOLDING, READ_INPUT]


def test_values_outside_the_points_range_are_flagged() -> None:
    async def scenario(peer: ModbusPeer, driver: ModbusDriver) -> Any:
        return await driver.read([point(1, 0, "uint16", max_value=400)])

    (sample,) = run(scenario, holding={0: 500})
    assert (sample.value, sample.quality) == (500, Quality.OUT_OF_RANGE)


def test_writes_a_setpoint_and_reads_it_back() -> None:
    setpoint = point(1, 20, "float32", scale=1.0)
    coil = point(2, 3, "bool", "coil")

    async def scenario(peer: ModbusPeer, driver: ModbusDriver) -> Any:
        await driver.write(setpoint, 21.5)
        await driver.write(coil, 1)
        return await driver.read([setpoint, coil])

    samples = run(scenario)
    assert {sample.point_id: sample.value for sample in samples} == {1: 21.5, 2: 1.0}


def test_an_unknown_unit_id_is_a_clear_error() -> None:
    async def scenario(peer: ModbusPeer, driver: ModbusDriver) -> Any:
        return await driver.read([point(1, 0, "uint16")])

    (sample,) = run(scenario, unit_id=9)
    assert sample.quality == Quality.BAD
    assert "no device with this unit id" in sample.error


def test_input_registers_are_read_only() -> None:
    async def scenario(peer: ModbusPeer, driver: ModbusDriver) -> Any:
        await driver.write(point(1, 0, "uint16", "input"), 5)

    with pytest.raises(DeviceError, match="read-only"):
        run(scenario)


def test_a_closed_port_is_unreachable_within_the_timeout() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]

    async def scenario() -> None:
        async with ModbusDriver(Connection("127.0.0.1", free_port, timeout=0.5)):
            pass

    with pytest.raises(DeviceUnreachable):
        asyncio.run(asyncio.wait_for(scenario(), 5))


def test_a_silent_device_times_out_instead_of_hanging() -> None:
    async def scenario() -> None:
        # A TCP server that accepts and never answers.
        server = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            async with ModbusDriver(Connection("127.0.0.1", port, timeout=0.5)) as driver:
                await driver.read([point(1, 0, "uint16")])
        finally:
            server.close()

    with pytest.raises(DeviceUnreachable, match=r"no answer within 0\.5 s"):
        asyncio.run(asyncio.wait_for(scenario(), 5))


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=400), st.sampled_from(["int16", "float32", "float64"])),
        min_size=1,
        max_size=40,
        unique_by=lambda item: item[0],
    )
)
def test_request_plans_cover_every_point_within_the_size_limit(layout: list[tuple[int, str]]) -> None:
    points = [point(n, address, data_type) for n, (address, data_type) in enumerate(layout)]
    requests = plan_requests(points)
    assert sorted(p.id for request in requests for p in request.points) == sorted(p.id for p in points)
    for request in requests:
        assert request.count <= MAX_REGISTERS
        for p in request.points:
            assert request.start <= int(p.address)
            assert (
                int(p.address) + {"int16": 1, "float32": 2, "float64": 4}[p.data_type] <= request.start + request.count
            )


@given(
    st.sampled_from(
        [("holding", data_type) for data_type in ("int16", "uint16", "int32", "uint32", "int64", "uint64")]
        + [("holding", "float32"), ("input", "float64"), ("coil", "bool"), ("discrete", "bool")]
    ),
    st.sampled_from(["big", "little"]),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False) | st.just(0.0),
    st.lists(st.integers(min_value=-(2**17), max_value=2**17) | st.booleans(), max_size=6),
)
def test_whatever_the_device_sends_decodes_to_a_sample(
    kind: tuple[str, str], word_order: str, scale: float, words: list[Any]
) -> None:
    table, data_type = kind
    spec = point(1, 0, data_type, table, word_order=word_order, scale=scale)
    sample = decode(spec, words, timezone.now())
    assert sample.point_id == 1
    if sample.value is None:
        assert sample.quality == Quality.BAD
        assert sample.error.endswith(" not a number") or "do not make a" in sample.error
    else:
        assert math.isfinite(sample.value)
        assert sample.quality in {Quality.GOOD, Quality.OUT_OF_RANGE}
