"""Fault injection: hostile peers of every protocol polled beside 50 healthy Modbus devices.

The hostile peers (`hostile_peers`) answer with random bytes, truncated frames and well-framed nonsense.
The service must keep its rhythm on the healthy devices, store nothing from the hostile ones as a good
reading, keep a reason for each of them, and keep running until asked to stop.
"""

import asyncio
import gc
import multiprocessing
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.modbus_farm import REGISTERS, UNITS_PER_SERVER
from benchmarks.modbus_farm import serve as serve_devices
from maintenir.devices.acquisition import poll_all
from maintenir.devices.choices import DataType, DeviceStatus, Protocol, Quality, RegisterType
from maintenir.devices.models import Device, Point, Reading
from maintenir.devices.tests import hostile_peers
from maintenir.devices.tests.factories import DeviceFactory, PointFactory

HEALTHY = 50
INTERVAL = 5
SECONDS = 21
HOSTILE_POINTS = {
    Protocol.MODBUS_TCP: {"address": "0", "register_type": RegisterType.HOLDING, "data_type": DataType.FLOAT32},
    Protocol.OPC_UA: {"address": "ns=2;s=Supply", "register_type": "", "data_type": ""},
    Protocol.BACNET_IP: {"address": "analog-input,1", "register_type": "", "data_type": ""},
    Protocol.KNX_IP: {"address": "1/2/3", "register_type": "", "data_type": "", "dpt": "9.001"},
}
HOSTILE_OPTIONS = {Protocol.BACNET_IP: {"instance": 1001}, Protocol.KNX_IP: {"connection": "tunnelling"}}


@pytest.fixture
def peers() -> Iterator[tuple[list[int], dict[str, int]]]:
    """The healthy devices' servers and the hostile peers, each in a spawned process of its own."""
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    devices_ours, devices_theirs = context.Pipe()
    hostile_ours, hostile_theirs = context.Pipe()
    servers = -(-HEALTHY // UNITS_PER_SERVER)
    processes = [
        context.Process(target=serve_devices, args=(servers, devices_theirs, stop), daemon=True),
        context.Process(target=hostile_peers.serve, args=(20261207, hostile_theirs, stop), daemon=True),
    ]
    for process in processes:
        process.start()
    try:
        assert devices_ours.poll(30)
        assert hostile_ours.poll(30)
        yield devices_ours.recv(), hostile_ours.recv()
    finally:
        stop.set()
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_hostile_peers_cost_their_own_devices_only(peers: Any, equipment_a: Any) -> None:
    device_ports, hostile_ports = peers
    healthy = [
        DeviceFactory(
            equipment=equipment_a,
            name=f"Compteur {n}",
            port=device_ports[n // UNITS_PER_SERVER],
            unit_id=n % UNITS_PER_SERVER + 1,
            poll_interval=INTERVAL,
            timeout=1,
        )
        for n in range(HEALTHY)
    ]
    for device in healthy:
        for address in range(REGISTERS):
            PointFactory(device=device, name=f"r{address}", address=str(address), data_type=DataType.UINT16)
    hostile = []
    for protocol, point in HOSTILE_POINTS.items():
        device = DeviceFactory(
            equipment=equipment_a,
            name=f"Hostile {protocol}",
            protocol=protocol,
            port=hostile_ports[protocol],
            options=HOSTILE_OPTIONS.get(protocol, {}),
            poll_interval=INTERVAL,
            timeout=1,
            grace_period=0,
        )
        PointFactory(device=device, name="value", **point)
        hostile.append(device)

    async def for_a_while() -> Any:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(SECONDS, stop.set)
        return await poll_all(stop)

    # `maintenir poll` runs in a process of its own, with a small heap; this one holds the whole suite's objects,
    # and a full garbage collection of them stops the event loop for most of a second. Kept out of the collector's
    # reach while the service runs, as they are out of the service's process.
    gc.collect()
    gc.freeze()
    try:
        stats = asyncio.run(asyncio.wait_for(for_a_while(), SECONDS + 30))
    finally:
        gc.unfreeze()

    healthy_polls = sum(stats[device.pk].cycles for device in healthy)
    on_time = healthy_polls - sum(stats[device.pk].late for device in healthy)
    assert healthy_polls >= HEALTHY * (SECONDS // INTERVAL)
    late = sorted((stats[device.pk].late, device.unit_id) for device in healthy if stats[device.pk].late)
    assert on_time / healthy_polls >= 0.99, (on_time, healthy_polls, late)
    assert sum(stats[device.pk].failures for device in healthy) == 0
    assert Reading.objects.filter(point__device__in=healthy).count() == healthy_polls * REGISTERS
    # Nothing false from the hostile peers: no good reading, a reason for each device or point.
    assert not Reading.objects.filter(point__device__in=hostile, quality=Quality.GOOD).exists()
    for device in Device.objects.filter(pk__in=[device.pk for device in hostile]):
        assert stats[device.pk].cycles >= 2, device
        point = Point.objects.get(device=device)
        assert (device.status == DeviceStatus.UNREACHABLE and device.last_error) or point.last_error, device
