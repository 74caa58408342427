"""The demo's simulated devices answer real Modbus and BACnet requests."""

import asyncio
import socket
from unittest import mock

import pytest

from maintenir.devices.drivers.bacnet import BacnetDriver
from maintenir.devices.drivers.base import Connection, PointSpec
from maintenir.devices.drivers.modbus import ModbusDriver
from maintenir.devices.simulators import (
    AHU_INSTANCE,
    ENERGY_METER,
    FILTER_START,
    PortTaken,
    start_air_handling_unit,
    start_modbus_device,
)
from maintenir.devices.tests.peers import free_port


def test_the_simulated_energy_meter_is_read_by_the_modbus_driver() -> None:
    points = [
        PointSpec(1, "0", "holding", "float32"),
        PointSpec(2, "2", "holding", "uint32"),
        PointSpec(3, "4", "holding", "int16", scale=0.1),
    ]

    async def scenario() -> list[float | None]:
        simulator = await start_modbus_device(0, ENERGY_METER)
        try:
            async with ModbusDriver(Connection("127.0.0.1", simulator.port, timeout=2)) as driver:
                return [sample.value for sample in await driver.read(points)]
        finally:
            await simulator.stop()

    power, index, voltage = asyncio.run(scenario())
    assert power is not None
    assert 20 < power < 60
    assert index is not None
    assert index >= 1_254_000
    assert voltage is not None
    assert 225 < voltage < 235


def test_the_simulated_air_handling_unit_follows_its_commands_over_bacnet() -> None:
    supply = PointSpec(1, "analog-input,1")
    filter_drop = PointSpec(2, "analog-input,4")
    setpoint = PointSpec(3, "analog-value,1", write_priority=8)
    fan = PointSpec(4, "binary-output,1", write_priority=8)

    async def scenario() -> list[list[float | None]]:
        simulator = await start_air_handling_unit(free_port(socket.SOCK_DGRAM), every=0.05)
        connection = Connection("127.0.0.1", simulator.port, timeout=2, options={"instance": AHU_INSTANCE})
        try:
            async with BacnetDriver(connection) as driver:
                await asyncio.sleep(0.2)
                running = await driver.read([supply, filter_drop])
                await driver.write(setpoint, 16.0)
                await asyncio.sleep(0.2)
                cooler = await driver.read([supply])
                await driver.write(fan, 0)
                await asyncio.sleep(0.2)
                stopped = await driver.read([filter_drop])
        finally:
            await simulator.stop()
        return [[sample.value for sample in samples] for samples in (running, cooler, stopped)]

    (supply_air, pressure_drop), (cooler_air,), (no_flow,) = asyncio.run(scenario())
    assert supply_air is not None
    assert abs(supply_air - 21.0) <= 0.31
    assert pressure_drop is not None
    assert FILTER_START - 3 < pressure_drop < FILTER_START + 5
    assert cooler_air is not None
    assert abs(cooler_air - 16.0) <= 0.31
    assert no_flow == 0.0


def test_a_modbus_port_taken_after_the_check_is_named() -> None:
    async def scenario() -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            with (
                mock.patch("maintenir.devices.simulators.check_port_free"),
                pytest.raises(PortTaken, match=f"port {port} is taken"),
            ):
                await start_modbus_device(port, ENERGY_METER)

    asyncio.run(scenario())
