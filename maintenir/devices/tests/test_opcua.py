"""The OPC UA driver against a real asyncua server on 127.0.0.1."""

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from asyncua import Server, ua
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from maintenir.devices.acquisition import PollStats, poll_device
from maintenir.devices.choices import Protocol, Quality
from maintenir.devices.drivers.base import Connection, DeviceError, DeviceUnreachable, PointSpec, Sample
from maintenir.devices.drivers.opcua import OpcUaDriver, sample_of
from maintenir.devices.models import Point, Reading
from maintenir.devices.tests.factories import DeviceFactory, PointFactory
from maintenir.devices.tests.peers import free_port

# asyncua logs every session at INFO.
logging.getLogger("asyncua").setLevel(logging.WARNING)


@contextlib.asynccontextmanager
async def opcua_peer(port: int, server_nodes: dict[str, Any] | None = None) -> AsyncIterator[dict[str, str]]:
    """An air-handling unit's controller: a supply temperature and a writable setpoint (its nodes put in
    `server_nodes`, for a test that changes them)."""
    server = Server()
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/ahu/")
    namespace = await server.register_namespace("urn:maintenir:test")
    unit = await server.nodes.objects.add_object(namespace, "AHU1")
    temperature = await unit.add_variable(namespace, "SupplyTemp", 18.5)
    setpoint = await unit.add_variable(namespace, "Setpoint", 21.0)
    await setpoint.set_writable()
    if server_nodes is not None:
        server_nodes.update(temperature=temperature, setpoint=setpoint)
    async with server:
        yield {"temperature": temperature.nodeid.to_string(), "setpoint": setpoint.nodeid.to_string()}


def run(scenario: Any) -> Any:
    async def main() -> Any:
        port = free_port()
        connection = Connection("127.0.0.1", port, timeout=3, options={"path": "ahu/"})
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


def test_a_subscription_delivers_changes_until_closed() -> None:
    received: list[Sample] = []

    async def sink(samples: list[Sample]) -> None:
        received.extend(samples)

    async def main() -> tuple[list[Sample], list[Sample]]:
        port = free_port()
        server_nodes: dict[str, Any] = {}
        async with opcua_peer(port, server_nodes) as nodes:
            driver = OpcUaDriver(Connection("127.0.0.1", port, timeout=3, options={"path": "ahu/"}))
            async with driver:
                await driver.subscribe([PointSpec(7, nodes["temperature"], scale=10)], sink)
                await server_nodes["temperature"].write_value(19.5)
                while not any(sample.value == 195 for sample in received):
                    await asyncio.sleep(0.05)
                # Only subscribed points: a poll only checks that the server is there.
                polled = await driver.read([])
            delivered = list(received)
            await server_nodes["temperature"].write_value(25.0)
            await asyncio.sleep(1.5)
            return delivered, polled

    delivered, polled = asyncio.run(asyncio.wait_for(main(), 30))
    assert polled == []
    assert {sample.point_id for sample in delivered} == {7}
    assert delivered[0].value == 185  # the value at subscription time, then each change
    assert delivered[-1].value == 195
    assert 250 not in [sample.value for sample in received]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_acquisition_service_polls_some_points_and_receives_the_subscribed_ones(equipment_a: Any) -> None:
    port = free_port()
    device = DeviceFactory(
        equipment=equipment_a, protocol=Protocol.OPC_UA, port=port, options={"path": "ahu/"}, poll_interval=1
    )

    async def main() -> PollStats:
        server_nodes: dict[str, Any] = {}
        async with opcua_peer(port, server_nodes) as nodes:
            await sync_to_async(PointFactory)(device=device, name="setpoint", address=nodes["setpoint"])
            await sync_to_async(PointFactory)(
                device=device, name="supply", address=nodes["temperature"], subscribed=True
            )
            stop = asyncio.Event()
            polling = asyncio.create_task(poll_device(device, stop))
            while not await Reading.objects.filter(point__name="supply").aexists():
                await asyncio.sleep(0.05)
            await server_nodes["temperature"].write_value(19.5)
            while not await Reading.objects.filter(point__name="supply", value=19.5).aexists():
                await asyncio.sleep(0.05)
            stop.set()
            return await polling

    stats = asyncio.run(asyncio.wait_for(main(), 30))
    assert stats.failures == 0
    supply = Point.objects.get(device=device, name="supply")
    assert list(supply.readings.order_by("time").values_list("value", flat=True)) == [18.5, 19.5]
    assert supply.last_value == 19.5
    assert set(Reading.objects.filter(point__name="setpoint").values_list("value", flat=True)) == {21.0}


@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        st.text(max_size=5),
        st.binary(max_size=5),
        st.lists(st.floats(), max_size=3),
    ),
    st.sampled_from(list(ua.VariantType)),
    st.sampled_from([ua.StatusCodes.Good, ua.StatusCodes.BadNodeIdUnknown, ua.StatusCodes.UncertainLastUsableValue]),
    st.floats(min_value=-1e300, max_value=1e300, allow_nan=False),
)
def test_whatever_the_server_sends_gives_a_sample(raw: Any, variant_type: Any, status: int, scale: float) -> None:
    data_value = ua.DataValue.__new__(ua.DataValue)
    data_value.Value = ua.Variant.__new__(ua.Variant)
    data_value.Value.Value, data_value.Value.VariantType = raw, variant_type
    data_value.Value.is_array = isinstance(raw, list)
    data_value.StatusCode = ua.StatusCode(status)
    sample = sample_of(PointSpec(1, "ns=2;s=X", scale=scale), data_value, timezone.now())
    if sample.value is None:
        assert sample.quality == Quality.BAD
        assert sample.error.startswith("ns=2;s=X: ")
    else:
        assert math.isfinite(sample.value)
        assert sample.quality == Quality.GOOD
