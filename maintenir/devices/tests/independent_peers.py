"""Peers from implementations written by others, on 127.0.0.1, for the driver tests.

The peers in `peers.py` are built on the drivers' own libraries, which hides the mistakes both sides
share. These are not: pyModbusTCP's Modbus server, open62541's OPC UA server (through o6), and knxd's
KNXnet/IP tunnelling server with a device written on knxdclient, which encodes its own values.

Each peer serves from threads or a process of its own, so one started per test module serves tests
that run their own event loops.
"""

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from maintenir.devices.drivers.base import Connection
from maintenir.devices.tests.peers import free_port, in_thread

# --- Modbus TCP: pyModbusTCP -------------------------------------------------------------------

GATEWAY_TARGET_FAILED = 11


@dataclass
class PyModbusTcpPeer:
    port: int
    # The register table the clients read and write (protocol address → 16-bit value).
    bank: Any
    # The unit ids behind this gateway; any other answers exception 11, as a real gateway does.
    units: frozenset[int]

    def connection(self, unit_id: int = 1) -> Connection:
        return Connection("127.0.0.1", self.port, unit_id=unit_id, timeout=2)

    def set_holding(self, address: int, registers: list[int]) -> None:
        self.bank.set_holding_registers(address, registers)

    def holding(self, address: int, count: int) -> list[int]:
        return list(self.bank.get_holding_registers(address, count))


@contextlib.contextmanager
def pymodbustcp_server(units: frozenset[int] = frozenset({1}), size: int = 200) -> Iterator[PyModbusTcpPeer]:
    """A Modbus TCP gateway on pyModbusTCP with `size` registers and coils per table (reading past them
    answers exception 2, illegal data address)."""
    from pyModbusTCP.server import DataBank, DataHandler, ModbusServer

    class Gateway(DataHandler):  # type: ignore[misc]
        def _absent(self, srv_info: Any) -> Any:
            if srv_info.recv_frame.mbap.unit_id in units:
                return None
            return DataHandler.Return(exp_code=GATEWAY_TARGET_FAILED)

        def read_coils(self, address: int, count: int, srv_info: Any) -> Any:
            return self._absent(srv_info) or super().read_coils(address, count, srv_info)

        def write_coils(self, address: int, bits: list[bool], srv_info: Any) -> Any:
            return self._absent(srv_info) or super().write_coils(address, bits, srv_info)

        def read_d_inputs(self, address: int, count: int, srv_info: Any) -> Any:
            return self._absent(srv_info) or super().read_d_inputs(address, count, srv_info)

        def read_h_regs(self, address: int, count: int, srv_info: Any) -> Any:
            return self._absent(srv_info) or super().read_h_regs(address, count, srv_info)

        def write_h_regs(self, address: int, words: list[int], srv_info: Any) -> Any:
            return self._absent(srv_info) or super().write_h_regs(address, words, srv_info)

        def read_i_regs(self, address: int, count: int, srv_info: Any) -> Any:
            return self._absent(srv_info) or super().read_i_regs(address, count, srv_info)

    bank = DataBank(coils_size=size, d_inputs_size=size, h_regs_size=size, i_regs_size=size)
    server = ModbusServer("127.0.0.1", 0, no_block=True, data_hdl=Gateway(data_bank=bank))
    server.start()
    try:
        yield PyModbusTcpPeer(server._service.server_address[1], bank, units)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pymodbustcp_peer() -> Iterator[PyModbusTcpPeer]:
    with pymodbustcp_server() as peer:
        yield peer


# --- OPC UA: open62541 through o6 ------------------------------------------------------------------

# The controller's nodes (namespace 1, string ids) and their first values.
O6_NODES = {
    "temperature": "ns=1;s=AHU1.SupplyTemp",  # Double, read-only
    "setpoint": "ns=1;s=AHU1.Setpoint",  # Double, writable
    "flow": "ns=1;s=AHU1.Flow",  # Float (float32), writable
    "speed": "ns=1;s=AHU1.FanSpeed",  # Int16, writable
    "status": "ns=1;s=AHU1.Status",  # String: not a number
}


@dataclass
class O6Peer:
    port: int
    server: Any
    nodes: dict[str, str] = field(default_factory=lambda: dict(O6_NODES))

    @property
    def connection(self) -> Connection:
        return Connection("127.0.0.1", self.port, timeout=3)

    def value(self, name: str) -> Any:
        return self.server.read(self.nodes[name])

    def set(self, name: str, value: Any) -> None:
        self.server.write(self.nodes[name], value)


@contextlib.contextmanager
def o6_server() -> Iterator[O6Peer]:
    """An air-handling unit's controller on open62541 (o6), serving from its own thread."""
    import o6

    port = free_port()
    server = o6.Server(port=port)
    server.start()
    objects = server.objectsNode
    server.addVariable("SupplyTemp", objects, 18.5, nodeId=O6_NODES["temperature"], writable=False)
    server.addVariable("Setpoint", objects, 21.0, nodeId=O6_NODES["setpoint"])
    server.addVariable("Flow", objects, o6.Float(123.456), nodeId=O6_NODES["flow"])
    server.addVariable("FanSpeed", objects, o6.Int16(1200), nodeId=O6_NODES["speed"])
    server.addVariable("Status", objects, "running", nodeId=O6_NODES["status"])
    try:
        yield O6Peer(port, server)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def o6_peer() -> Iterator[O6Peer]:
    with o6_server() as peer:
        yield peer


# --- KNX/IP: knxd, with a device on knxdclient ----------------------------------------------------

# A room controller's group addresses and the values it answers GroupValueRead with.
KNXD_TEMPERATURE = "1/0/1"  # 9.001, read-only
KNXD_SETPOINT = "1/0/2"  # 9.001, writable, answers reads with the last value written
KNXD_SWITCH = "1/1/1"  # 1.001, writable
KNXD_VALVE = "1/2/1"  # 5.001 (0…255 on the wire)
KNXD_WRONG_SIZE = "1/3/1"  # answers a 1-bit value where a 9.001 point expects two bytes


@dataclass
class KnxdPeer:
    port: int
    device: Any
    # (group address, encoded payload) of every GroupValueWrite the device received.
    writes: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def connection(self) -> Connection:
        return Connection("127.0.0.1", self.port, timeout=2, options={"connection": "tunnelling"})

    def send(self, address: str, payload: Any) -> None:
        """The device sends a GroupValueWrite, as it does when its value changes."""
        self.device.send(address, payload)

    def written(self, count: int) -> list[tuple[str, Any]]:
        deadline = time.monotonic() + 2
        while len(self.writes) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.writes)


class KnxdDevice:
    """A room controller on the knxd line, speaking knxd's own client protocol through knxdclient."""

    def __init__(self, socket_path: str, values: dict[str, Any]) -> None:
        self.socket_path = socket_path
        self.values = values
        self.writes: list[tuple[str, Any]] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self.connection: Any = None
        self.answering: set[asyncio.Task[None]] = set()

    @staticmethod
    def _address(text: str) -> Any:
        from knxdclient import GroupAddress

        main, middle, sub = (int(part) for part in text.split("/"))
        return GroupAddress(main, middle, sub)

    def send(self, address: str, payload: Any) -> None:
        from knxdclient import KNXDAPDUType

        assert self.loop is not None
        sent = asyncio.run_coroutine_threadsafe(
            self.connection.group_write(self._address(address), KNXDAPDUType.WRITE, payload), self.loop
        )
        sent.result(2)

    def _received(self, packet: Any) -> None:
        from knxdclient import KNXDAPDUType

        address = repr(packet.dst)
        if address not in self.values:
            return
        if packet.payload.type is KNXDAPDUType.READ:
            answer = asyncio.create_task(
                self.connection.group_write(packet.dst, KNXDAPDUType.RESPONSE, self.values[address])
            )
            self.answering.add(answer)
            answer.add_done_callback(self.answering.discard)
        elif packet.payload.type is KNXDAPDUType.WRITE:
            self.writes.append((address, packet.payload.value))
            self.values[address] = packet.payload.value

    @contextlib.asynccontextmanager
    async def running(self) -> Any:
        from knxdclient import KNXDConnection

        self.loop = asyncio.get_running_loop()
        self.connection = KNXDConnection()
        self.connection.set_group_apdu_handler(self._received)
        await self.connection.connect(sock=self.socket_path)
        receiving = asyncio.create_task(self.connection.run())
        await self.connection.open_group_socket()
        try:
            yield self
        finally:
            await self.connection.stop()
            await receiving


def knxd_missing() -> None:
    """Skip (or, under CI, fail) a test that needs Debian's knxd when it is not installed."""
    if shutil.which("knxd") is None:
        message = "knxd is not installed (apt-get install knxd)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@contextlib.contextmanager
def knxd_server() -> Iterator[KnxdPeer]:
    """knxd as a KNXnet/IP tunnelling server on a free UDP port, its bus a dummy one, and the room
    controller attached to it through knxd's local socket."""
    from knxdclient import KNXDPT, encode_value

    knxd_missing()
    port = free_port(socket.SOCK_DGRAM)
    with tempfile.TemporaryDirectory(prefix="knxd-") as directory:
        socket_path = str(Path(directory) / "knx")
        # -e: knxd's own address, -E: the addresses it gives tunnelling clients; -T -S: the tunnelling
        # server on the port (its multicast group is only joined with -R, which is not asked for).
        process = subprocess.Popen(
            [
                "knxd",
                "-e",
                "0.0.1",
                "-E",
                "0.0.2:8",
                "-u",
                socket_path,
                "-n",
                "maintenir-test",
                "-T",
                f"-S224.0.23.12:{port}",
                "-b",
                "dummy:",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 5
            while not Path(socket_path).exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise RuntimeError(f"knxd did not start: {output}")
                time.sleep(0.02)
            values = {
                KNXD_TEMPERATURE: encode_value(21.5, KNXDPT.FLOAT16),
                KNXD_SETPOINT: encode_value(20.0, KNXDPT.FLOAT16),
                KNXD_SWITCH: encode_value(False, KNXDPT.BOOLEAN),
                KNXD_VALVE: encode_value(102, KNXDPT.UINT8),
                KNXD_WRONG_SIZE: encode_value(True, KNXDPT.BOOLEAN),
            }
            device = KnxdDevice(socket_path, values)
            with in_thread(device.running()):
                peer = KnxdPeer(port, device)
                peer.writes = device.writes
                yield peer
        finally:
            process.terminate()
            process.wait(5)


@pytest.fixture(scope="module")
def knxd_peer() -> Iterator[KnxdPeer]:
    with knxd_server() as peer:
        yield peer
