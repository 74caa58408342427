"""The OPC UA driver against a real asyncua server on 127.0.0.1."""

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asyncua import Server

from maintenir.devices.choices import Quality
from maintenir.devices.drivers.base import Connection, DeviceError, DeviceUnreachable, PointSpec
from maintenir.devices.drivers.opcua import OpcUaDriver

# asyncua logs every session at INFO.
logging.getLogger("asyncua").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def opcua_peer(port: int) -> AsyncIterator[dict[str, str]]:
    """An air-handling unit's controller: a supply temperature and a writable setpoint."""
    server = Server()
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/ahu/")
    namespace = await server.register_namespace("urn:maintenir:test")
    unit = await server.nodes.objects.add_object(namespace, "AHU1")
    temperature = await unit.add_variable(namespace, "SupplyTemp", 18.5)
    setpoint = await unit.add_variable(namespace, "Setpoint", 21.0)
    await setpoint.set_writable()
    async with server:
        yield {"temperature": temperature.nodeid.to_string(), "setpoint": setpoint.nodeid.to_string()}


def run(scenario: Any) -> Any:
    async def main() -> Any:
        port = free_port()
        connection = Connection("127.0.0.1", port, timeout=3, path="ahu/")
        async with opcua_peer(port) as nodes, OpcUaDriver(connection) as driver:
            return await scenario(driver, nodes)

    return asyncio.run(asyncio.wait_for(main(), 30))


def test_reads_and_writes_with_read_back() -> None:
    async def scenario(driver: OpcUaDriver, nodes: dict[str, str]) -> Any:
        temperature = PointSpec(1, nodes["temperature"], max_value=30)
        setpoint = PointSpec(2, nodes["setpoint"], data_type="float64")
        before = await driver.read([temperature, setpoint])
        await driver.write(setpoint, 22.5)
        after = await driver.read([setpoint])
        return before, after

    before, after = run(scenario)
    assert [(sample.value, sample.quality) for sample in before] == [(18.5, Quality.GOOD), (21.0, Quality.GOOD)]
    assert after[0].value == 22.5


def test_an_unknown_node_is_named_and_the_others_still_read() -> None:
    async def scenario(driver: OpcUaDriver, nodes: dict[str, str]) -> Any:
        return await driver.read([PointSpec(1, nodes["temperature"]), PointSpec(2, "ns=2;s=NoSuchNode")])

    good, bad = run(scenario)
    assert good.value == 18.5
    assert (bad.value, bad.quality) == (None, Quality.BAD)
    assert "ns=2;s=NoSuchNode" in bad.error


def test_writing_a_read_only_node_is_a_device_error() -> None:
    async def scenario(driver: OpcUaDriver, nodes: dict[str, str]) -> Any:
        await driver.write(PointSpec(1, nodes["temperature"], data_type="float64"), 25.0)

    with pytest.raises(DeviceError):
        run(scenario)


def test_no_server_is_unreachable() -> None:
    async def scenario() -> None:
        async with OpcUaDriver(Connection("127.0.0.1", free_port(), timeout=1)):
            pass

    with pytest.raises(DeviceUnreachable):
        asyncio.run(asyncio.wait_for(scenario(), 10))
