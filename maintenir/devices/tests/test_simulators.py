"""The demo's simulated devices answer real Modbus requests."""

import asyncio

from maintenir.devices.drivers.base import Connection, PointSpec
from maintenir.devices.drivers.modbus import ModbusDriver
from maintenir.devices.simulators import ENERGY_METER, start_modbus_device


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
            await simulator.server.shutdown()

    power, index, voltage = asyncio.run(scenario())
    assert power is not None
    assert 20 < power < 60
    assert index is not None
    assert index >= 1_254_000
    assert voltage is not None
    assert 225 < voltage < 235
