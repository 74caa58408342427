"""Real protocol peers on 127.0.0.1 for the driver tests (and the demo's simulated devices)."""

import asyncio
import contextlib
import logging
import socket
import threading
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bacpypes3.app import Application
from bacpypes3.local.object import Object
from pymodbus.server import ModbusTcpServer

from maintenir.devices import simulators
from maintenir.devices.drivers.bacnet import bacnet_application

with warnings.catch_warnings():
    # The classic datastore is deprecated for pymodbus 4; its replacement is still marked experimental.
    warnings.simplefilter("ignore", DeprecationWarning)
    from pymodbus.datastore import ModbusDeviceContext, ModbusSequentialDataBlock, ModbusServerContext

# pymodbus logs every frame at INFO when a server is running in the process.
logging.getLogger("pymodbus").setLevel(logging.WARNING)
T = TypeVar("T")


def free_port(kind: socket.SocketKind = socket.SOCK_STREAM) -> int:
    """A port of 127.0.0.1 free at the time of asking (TCP, or UDP for BACnet)."""
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ModbusPeer:
    port: int
    requests: list[int] = field(default_factory=list)


def _block(values: dict[int, int], size: int) -> Any:
    registers = [0] * size
    for address, value in values.items():
        registers[address] = value
    # Blocks of the classic datastore start at 1 for protocol address 0.
    return ModbusSequentialDataBlock(1, registers)


@contextlib.asynccontextmanager
async def modbus_peer(
    holding: dict[int, int] | None = None, inputs: dict[int, int] | None = None, unit_id: int = 1, size: int = 200
) -> AsyncIterator[ModbusPeer]:
    """A pymodbus TCP server on a free port of 127.0.0.1 with one device and these register values
    (address → 16-bit value); it counts the requests it serves."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        device = ModbusDeviceContext(
            hr=_block(holding or {}, size),
            ir=_block(inputs or {}, size),
            co=_block({}, size),
            di=_block({}, size),
        )
        context = ModbusServerContext(devices={unit_id: device}, single=False)
    peer = ModbusPeer(port=0)

    def count(sending: bool, pdu: Any) -> Any:
        if not sending:
            peer.requests.append(pdu.function_code)
        return pdu

    server = ModbusTcpServer(context, address=("127.0.0.1", 0), trace_pdu=count)
    await server.serve_forever(background=True)
    peer.port = server.transport.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield peer
    finally:
        await server.shutdown()


@contextlib.asynccontextmanager
async def simulated_modbus_device(registers: simulators.RegisterMap) -> AsyncIterator[simulators.ModbusSimulator]:
    """One of the demo's simulated Modbus devices on a free port of 127.0.0.1."""
    running = await simulators.start_modbus_device(0, registers)
    try:
        yield running
    finally:
        await running.server.shutdown()


@contextlib.contextmanager
def in_thread(peer: AbstractAsyncContextManager[T]) -> Iterator[T]:
    """An async peer served from its own event loop in a thread, for code that calls devices synchronously."""
    ready = threading.Event()
    stopping: asyncio.Event | None = None
    holder: list[T] = []
    loop = asyncio.new_event_loop()

    async def serve() -> None:
        nonlocal stopping
        stopping = asyncio.Event()
        async with peer as served:
            holder.append(served)
            ready.set()
            await stopping.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield holder[0]
    finally:
        assert stopping is not None
        loop.call_soon_threadsafe(stopping.set)
        thread.join(10)
        loop.close()


def modbus_peer_in_thread(**registers: Any) -> AbstractContextManager[ModbusPeer]:
    return in_thread(modbus_peer(**registers))


@dataclass
class BacnetPeer:
    port: int
    instance: int
    app: Application
    objects: dict[str, Object]

    def set(self, name: str, value: Any) -> None:
        """Change a value on the device's side, as its sensors would (COV subscribers are notified)."""
        self.objects[name].presentValue = value


@contextlib.asynccontextmanager
async def bacnet_peer(instance: int = 1001) -> AsyncIterator[BacnetPeer]:
    """A bacpypes3 BACnet/IP device on a free UDP port of 127.0.0.1: the demo's air-handling unit, still
    (its values change only when a test sets them)."""
    port = free_port(socket.SOCK_DGRAM)
    objects = simulators.air_handling_unit_objects()
    app = bacnet_application(f"127.0.0.1:{port}", instance, "AHU-1", objects.values())
    try:
        yield BacnetPeer(port, instance, app, objects)
    finally:
        app.close()
